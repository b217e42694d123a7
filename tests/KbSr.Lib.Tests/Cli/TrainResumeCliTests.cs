using System.Diagnostics;
using System.Globalization;
using KbSr.Imaging;
using KbSr.Tests.Imaging;

namespace KbSr.Tests.Cli;

/// <summary>`kbsr train --resume` takes every setting from the run folder; one run folder, one trainer.</summary>
public sealed class TrainResumeCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-resume-cli-").FullName;
    private readonly string _data;

    public TrainResumeCliTests()
    {
        // Two 100×100 and two 40×40 images: a 24-pixel patch keeps all four, the default 96 only two.
        _data = Path.Combine(_root, "data");
        int seed = 0;
        foreach (int size in new[] { 100, 40, 100, 40 })
            ImageFile.WritePng(TestImages.Random(size, size, seed: ++seed), Path.Combine(_data, "Mini", $"img{seed}.png"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly string[] Common =
        ["--batch", "2", "--seed", "7", "--set", "validateEvery=0", "--set", "logEvery=1", "--set", "checkpointEvery=1"];

    private Task<(int Code, string Stdout, string Stderr)> Kbsr(params string[] arguments) =>
        CliProcess.RunAsync([.. arguments, "--data-root", _data], timeoutSeconds: 600);

    private static List<string> Losses(string run) =>
        File.ReadLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(l => l.Split(',')[^1]).ToList(); // "total" sorts last

    [Fact]
    public async Task TestPreset_ResumedWithoutRepeatingPatchOrData_ReproducesTheUninterruptedLossesExactly()
    {
        string whole = Path.Combine(_root, "whole"), split = Path.Combine(_root, "split");
        var (code, stdout, stderr) = await Kbsr(["train", "--preset", "Test", "--patch", "24", "--data", "Mini", "--steps", "6", .. Common, "--out", whole]);
        Assert.True(code == 0, $"train exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("4 training images from Mini", stdout);
        (code, stdout, stderr) = await Kbsr(["train", "--preset", "Test", "--patch", "24", "--data", "Mini", "--steps", "3", .. Common, "--out", split]);
        Assert.True(code == 0, $"train exit {code}\n{stdout}\n{stderr}");

        // The run folder says Test, patch 24, Mini: none of it is repeated here.
        (code, stdout, stderr) = await Kbsr(["train", "--resume", "--steps", "6", "--out", split]);
        Assert.True(code == 0, $"resume exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("4 training images from Mini", stdout);
        Assert.Contains("Completed: step 6/6", stdout);
        var expected = Losses(whole);
        Assert.Equal(6, expected.Count);
        Assert.Equal(expected, Losses(split));         // bit-identical, as printed with "R"
        Assert.NotEqual(expected[0], expected[^1]);
    }

    /// <summary>A run that stopped before its first checkpoint (here: a non-finite loss at step 1) is no dead end: a new
    /// run and --resume both say what to do, and --restart starts it again; --restart leaves alone a folder with
    /// checkpoints and one that is not a run folder.</summary>
    [Fact]
    public async Task ARunWithoutACheckpoint_IsRestartable_AndRestartKeepsEverythingElse()
    {
        string run = Path.Combine(_root, "nan");
        string[] args = ["train", "--preset", "Test", "--patch", "24", "--data", "Mini", "--steps", "2", "--batch", "2", "--seed", "7",
                         "--set", "validateEvery=0", "--out", run];   // a checkpoint only at the end
        var (code, stdout, stderr) = await Kbsr([.. args, "--learning-rate", "1e308"]);
        Assert.NotEqual(0, code);
        Assert.False(File.Exists(Path.Combine(run, "checkpoints", "last.ckpt")), $"{stdout}\n{stderr}");
        Assert.Contains("start it again (--restart)", stderr);

        (code, _, stderr) = await Kbsr(args);
        Assert.NotEqual(0, code);
        Assert.Contains("stopped before its first checkpoint", stderr);
        Assert.Contains("--restart", stderr);
        (code, _, stderr) = await Kbsr(["train", "--resume", "--out", run]);
        Assert.NotEqual(0, code);
        Assert.Contains("nothing to resume", stderr);
        Assert.Contains("--restart", stderr);

        (code, stdout, stderr) = await Kbsr([.. args, "--restart"]);
        Assert.True(code == 0, $"restart exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("Completed: step 2/2", stdout);

        (code, _, stderr) = await Kbsr([.. args, "--restart"]);   // now it holds checkpoints
        Assert.NotEqual(0, code);
        Assert.Contains("holds checkpoints", stderr);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "last.ckpt")));

        string other = Path.Combine(_root, "notes");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "keep.txt"), "mine");
        (code, _, stderr) = await Kbsr(["train", "--preset", "Test", "--data", "Mini", "--steps", "1", "--out", other, "--restart"]);
        Assert.NotEqual(0, code);
        Assert.Contains("not a run folder", stderr);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(other, "keep.txt")));
    }

    [Fact]
    public async Task Resume_WithAConflictingPatch_IsRefusedNamingBothValues_AndTrainJsonStaysAsItWas()
    {
        string run = Path.Combine(_root, "run");
        var (code, stdout, stderr) = await Kbsr(["train", "--preset", "Test", "--patch", "24", "--data", "Mini", "--steps", "2", .. Common, "--out", run]);
        Assert.True(code == 0, $"train exit {code}\n{stdout}\n{stderr}");
        byte[] before = File.ReadAllBytes(Path.Combine(run, "train.json"));
        (code, _, stderr) = await Kbsr(["train", "--resume", "--patch", "32", "--steps", "4", "--out", run]);
        Assert.Equal(2, code);
        Assert.Contains("hrPatch is 24 there, 32 here", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(run, "train.json")));
        (code, stdout, stderr) = await Kbsr(["train", "--resume", "--patch", "24", "--data", "Mini", "--steps", "3", "--out", run]); // repeats are fine
        Assert.True(code == 0, $"resume exit {code}\n{stdout}\n{stderr}");
    }

    [SkippableFact]
    public async Task ASecondTrainer_IsRefused_AndAfterKill9_ResumeTakesOverTheStaleLock()
    {
        Prerequisite.Require(OperatingSystem.IsLinux(), "needs Linux (kill -9 semantics)");
        string run = Path.Combine(_root, "run");
        using var first = CliProcess.Start(["train", "--preset", "Test", "--patch", "24", "--data", "Mini", "--steps", "100000",
                                            .. Common, "--out", run, "--data-root", _data]);
        // Read both streams as events: they keep draining while this test runs other processes.
        var stepTwo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.OutputDataReceived += (_, e) => { if (e.Data?.StartsWith("step 2/", StringComparison.Ordinal) == true) stepTwo.TrySetResult(); };
        first.ErrorDataReceived += (_, _) => { };
        first.Exited += (_, _) => stepTwo.TrySetException(new InvalidOperationException("the first trainer ended early"));
        first.EnableRaisingEvents = true;
        first.BeginOutputReadLine();
        first.BeginErrorReadLine();
        await stepTwo.Task.WaitAsync(TimeSpan.FromMinutes(5));
        try
        {
            var (code, _, stderr) = await Kbsr(["train", "--resume", "--time-limit", "1", "--out", run]);
            Assert.Equal(2, code);
            Assert.Contains($"process {first.Id} is training", stderr);
        }
        finally
        {
            first.Kill();   // SIGKILL: no checkpoint, no cleanup
            first.WaitForExit();
        }
        Assert.True(File.Exists(Path.Combine(run, "train.lock")), "kill -9 should have left the lock behind");
        string leftover = Path.Combine(run, "checkpoints", $".last.ckpt.{int.MaxValue}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(leftover, new byte[4096]);   // as a kill during a checkpoint write leaves it

        var (resumed, stdout, err) = await Kbsr(["train", "--resume", "--time-limit", "1", "--out", run]);
        Assert.True(resumed == 0, $"resume exit {resumed}\n{stdout}\n{err}");
        Assert.Contains("removing stale lock", err);
        Assert.Contains(first.Id.ToString(CultureInfo.InvariantCulture), err);
        Assert.False(File.Exists(leftover));
        Assert.False(File.Exists(Path.Combine(run, "train.lock")));
    }
}
