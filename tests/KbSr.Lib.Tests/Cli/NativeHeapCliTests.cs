namespace KbSr.Tests.Cli;

/// <summary>
/// <see cref="KbSr.Runtime.NativeHeap"/>: freed libtorch buffers are reused by the next tensor instead of being handed
/// back to the kernel and page-faulted in again (what made whole-image inference spend 12 s of 20 in the kernel), and
/// <c>KBSR_NATIVE_HEAP=system</c> really restores glibc's behaviour. Each case runs in a fresh process, so the counts
/// are the process's own.
/// </summary>
public class NativeHeapCliTests
{
    private static async Task<long> RefaultsAsync(params (string, string)[] environment)
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["runtime"], environment, 300);
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{stderr}");
        var line = stdout.Split('\n').Single(l => l.StartsWith("native heap:", StringComparison.Ordinal));
        // "… one took N page faults (49152 pages)"
        string count = line[(line.LastIndexOf(" took ", StringComparison.Ordinal) + 6)..].Split(' ')[0];
        return long.Parse(count, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task FreedBuffers_AreReused_ByDefault_AndReturnedToTheKernel_WithTheSystemSetting()
    {
        const long pages = 192L * 1024 * 1024 / 4096;
        long reused = await RefaultsAsync();
        long system = await RefaultsAsync(("KBSR_NATIVE_HEAP", "system"));
        Assert.True(reused < pages / 20, $"default: {reused} page faults refilling 192 MiB ({pages} pages): the freed buffer was not reused");
        Assert.True(system > pages * 9 / 10, $"KBSR_NATIVE_HEAP=system: only {system} page faults for {pages} fresh pages: the setting did not take effect");
    }
}
