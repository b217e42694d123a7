using System.Globalization;
using System.Runtime.InteropServices;

namespace KbSr.Tests.Cli;

/// <summary>The CLI end to end, as a user runs it: a short training run, then `kbsr eval` on Set5.</summary>
public sealed class TrainEvalCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Train20Steps_ThenEvalOnSet5_WritesRunFolderAndTables()
    {
        string run = Path.Combine(_root, "run");
        var (code, stdout, stderr) = CliProcess.Run(
            $"train --preset Small --data T91 --steps 20 --batch 4 --patch 64 --seed 3 --set validateEvery=0 --set logEvery=10 --out \"{run}\"");
        Assert.True(code == 0, $"train exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("Completed: step 20/20", stdout);
        foreach (string f in new[] { "train.json", "environment.json", "metrics.jsonl", "metrics.csv", "checkpoints/last.ckpt" })
            Assert.True(File.Exists(Path.Combine(run, f)), f + " missing");
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length); // header + steps 10, 20

        string prefix = Path.Combine(_root, "eval");
        (code, stdout, stderr) = CliProcess.Run(
            $"eval --weights net=\"{Path.Combine(run, "checkpoints", "last.ckpt")}\" --sets Set5 --sigmas 2.6 --max-images 2 --out \"{prefix}\"");
        Assert.True(code == 0, $"eval exit {code}\n{stdout}\n{stderr}");
        var rows = File.ReadAllLines(prefix + ".csv").Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(["bicubic", "net"], rows.Select(r => r[0]).ToArray());
        Assert.All(rows, r => Assert.Equal("2.6", r[2]));
        Assert.All(rows, r => Assert.InRange(double.Parse(r[4], CultureInfo.InvariantCulture), 5, 60));
        Assert.Contains("| net |", File.ReadAllText(prefix + ".md"));
    }

    [Fact]
    public async Task Train_OnSigterm_WritesACheckpointAndExits()
    {
        if (!OperatingSystem.IsLinux()) return; // SIGTERM is a POSIX signal
        string run = Path.Combine(_root, "run");
        using var p = CliProcess.Start(
            $"train --preset Test --data Set5 --steps 100000 --batch 2 --patch 16 --set kernels.kernelSize=5 --set validateEvery=0 --set logEvery=1 --out \"{run}\"");
        var stderr = p.StandardError.ReadToEndAsync();
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null && !line.StartsWith("step 2/", StringComparison.Ordinal)) { }
        Assert.NotNull(line);
        Assert.Equal(0, kill(p.Id, 15));
        string rest = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), "kbsr train did not stop after SIGTERM");
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("Interrupted", rest);
        Assert.Contains("SIGTERM", await stderr);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "last.ckpt")));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
