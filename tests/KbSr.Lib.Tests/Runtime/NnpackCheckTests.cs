using KbSr.Runtime;
using KbSr.Tests.Cli;

namespace KbSr.Tests.Runtime;

/// <summary>
/// <see cref="NnpackCheck"/>: where NNPACK cannot initialise, libtorch would log "Could not initialize NNPACK!" on every
/// convolution; after start-up no command prints it, and `kbsr runtime` says what was found and done.
/// </summary>
public class NnpackCheckTests
{
    private const string Warning = "Could not initialize NNPACK";

    public NnpackCheckTests() => TorchRuntime.Initialize();

    [Fact]
    public void TheStateSaysWhatWasDone()
    {
        Assert.Matches("^(on|off|not checked)", NnpackCheck.State);
        Assert.Equal(NnpackCheck.State.StartsWith("off", StringComparison.Ordinal), NnpackCheck.Disabled);
    }

    /// <summary>`kbsr runtime` runs convolutions (the oneDNN check's and its own) and reports NNPACK in one line.</summary>
    [Fact]
    public async Task Runtime_ReportsNnpack_AndNoConvolutionLogsItsWarning()
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["runtime"], 300);
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{stderr}");
        Assert.DoesNotContain(Warning, stderr + stdout);
        string line = stdout.Split('\n').Single(l => l.StartsWith("NNPACK: ", StringComparison.Ordinal));
        Assert.Matches("^NNPACK: (on|off)", line);
    }

    /// <summary>Where NNPACK cannot start on this CPU, skipping the probe (<c>KBSR_NNPACK=on</c>) brings the warnings
    /// back: the test above sees the difference here. Where it starts, there is nothing to print either way.</summary>
    [Fact]
    public async Task WithTheProbeSkipped_TheWarningsReturnExactlyWhereNnpackCannotStart()
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["runtime"], [("KBSR_NNPACK", "on")], 300);
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{stderr}");
        Assert.Contains("NNPACK: on (KBSR_NNPACK=on, not checked)", stdout);
        Assert.Equal(NnpackCheck.Disabled, stderr.Contains(Warning, StringComparison.Ordinal));
    }
}
