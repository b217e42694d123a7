namespace KbSr.Tests.Cli;

/// <summary>
/// The finalizer race behind the two long trainings that died in Adam's step ("Expected false to be true" from
/// Scalar::toFloat): reproduced on demand without the <see cref="KbSr.Runtime.FinalizerGate"/>, gone with it.
/// </summary>
public class GcStressCliTests
{
    [Fact]
    public async Task GcStress_Unguarded_FailsWithTheRace()
    {
        // Implicit Scalars and scope-less temporaries beside forced collections: typically fails within a second. A
        // segmentation fault (exit 139 from the shell, or a signal) counts as the race too.
        var (code, stdout, stderr) = await CliProcess.RunAsync(["runtime", "--gc-stress", "60", "--workload", "scalars", "--unguarded"], 300);
        Assert.True(code != 0, $"the unguarded run survived 60 s of forced collections:\n{stdout}\n{stderr}");
        if (code == 3) Assert.Contains("FAILED", stdout);
    }

    [Theory]
    [InlineData("scalars")]
    [InlineData("adam")]
    public async Task GcStress_Guarded_RunsClean(string workload)
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["runtime", "--gc-stress", "10", "--workload", workload], 300);
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{stderr}");
        Assert.Contains("gc-stress: ok", stdout);
        // The pressure really ran: some forced collections are reported.
        var line = stdout.Split('\n').First(l => l.StartsWith("gc-stress: ok"));
        long collections = long.Parse(line.Split(", ")[^1].Split(' ')[0]);
        Assert.True(collections > 0, line);
    }
}
