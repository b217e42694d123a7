using System.Diagnostics;
using System.Runtime.InteropServices;
using KbSr.Imaging;
using KbSr.Model;
using KbSr.Tests.Data;
using KbSr.Tests.Evaluation;
using KbSr.Training;

namespace KbSr.Tests.Cli;

/// <summary>Arguments that would run for minutes or mean nothing are refused with the argument named; eval keeps its
/// finished work when an image fails; a cancelled download ends with one line.</summary>
public sealed class ArgumentRulesCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-args-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("eval --weights none.ckpt --sigmas 1e6", "--sigmas: σ = 1000000 is outside 0–50")]
    [InlineData("eval --weights none.ckpt --sigmas -0.5", "--sigmas: σ = -0.5 is outside 0–50")]
    [InlineData("eval --weights none.ckpt --max-images -1", "--max-images -1: expected a positive count")]
    [InlineData("eval --weights none.ckpt --tile -5", "--tile -5: expected 0 (whole images) or 16 … 8192")]
    [InlineData("eval --weights none.ckpt --tile 2", "--tile 2: expected 0 (whole images) or 16 … 8192")]
    [InlineData("eval --weights none.ckpt --tile 2147483647", "--tile 2147483647: expected 0 (whole images) or 16 … 8192")]
    [InlineData("eval --weights none.ckpt --bootstrap 0", "--bootstrap 0: expected 1 … 1,000,000")]
    [InlineData("model summary --preset Small --lr-size -5", "--lr-size -5: expected 1 … 1024")]
    [InlineData("sr none.png --weights none.ckpt --out x.jpg", "--out x.jpg: kbsr sr writes PNG")]
    [InlineData("train --preset Test --out kbsr-never-made --time-limit -5", "--time-limit -5: expected 0 (no limit)")]
    [InlineData("train --preset Test --out kbsr-never-made --learning-rate NaN", "--learning-rate NaN: expected a positive finite number")]
    [InlineData("train --preset Test --out kbsr-never-made --set gradClip=-1", "gradClip -1: expected 0 (off)")]
    [InlineData("train --preset Test --out kbsr-never-made --set kernels.sigmaMax=1e308", "sigmaMax ≤ 50")]
    [InlineData("train --preset Test --out kbsr-never-made --batch 100000", "batch 100000 × HR patch")]
    [InlineData("eval --weights none.ckpt --protocol gaussian8 --sigmas 1.3", "--protocol gaussian8 fixes σ")]
    [InlineData("sr none.png --weights none.ckpt --margin 1000", "--margin 1000: expected 0 … 96")]
    [InlineData("sr none.png --weights none.ckpt --tile 2", "--tile 2: expected 0 (whole images) or 16 … 8192")]
    [InlineData("synth --sigmas 51 --out x", "--sigmas: σ = 51 is outside 0–50")]
    [InlineData("eval-bicubic --sigmas 1e6", "--sigmas: σ = 1000000 is outside 0–50")]
    [InlineData("notebook run none.ipynb --timeout -1", "--timeout -1: expected 1 … 604800 seconds per cell")]
    [InlineData("notebook run none.ipynb --timeout NaN", "--timeout NaN: expected 1 … 604800 seconds per cell")]
    [InlineData("notebook run none.ipynb --timeout 1e308", "--timeout 1E+308: expected 1 … 604800 seconds per cell")]
    [InlineData("notebook run none.ipynb --out /proc/x.ipynb", "--out /proc/x.ipynb: the executed copy cannot be written there")]
    public async Task OutOfRangeArguments_AreRefusedNamingTheArgument(string command, string expected)
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(command.Split(' '), timeoutSeconds: 300);
        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains(expected, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Eval_WithAnEmptyOutPrefix_IsRefusedBeforeLoadingAnything()
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["eval", "--weights", "none.ckpt", "--out", ""], timeoutSeconds: 300);
        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("--out: expected a file name or prefix, got an empty one", stderr);
    }

    /// <summary>A training-options file given with --config: unreadable JSON and an out-of-range value are both refused
    /// with the file's path in the message, before any folder is made.</summary>
    [Theory]
    [InlineData("{ \"steps\": 10, ", "not valid training options")]
    [InlineData("{ \"steps\": -5 }", "steps must be")]
    public async Task Train_WithABadConfigFile_NamesTheFile(string json, string expected)
    {
        string folder = Directory.CreateTempSubdirectory("kbsr-config-").FullName;
        try
        {
            string file = Path.Combine(folder, "options.json");
            File.WriteAllText(file, json);
            string run = Path.Combine(folder, "run");
            var (code, stdout, stderr) = await CliProcess.RunAsync(["train", "--config", file, "--data", "Set5", "--out", run], 300);
            Assert.NotEqual(0, code);
            Assert.Contains(file, stderr);
            Assert.Contains(expected, stderr, StringComparison.OrdinalIgnoreCase);
            Assert.False(Directory.Exists(run), "a refused run must not leave a folder");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public async Task Eval_WithABadImage_WritesWhatFinishedAndNamesIt_AndKeepGoingSkipsIt()
    {
        // a, b good; c truncated (sorted order): the run stops at c with a and b written; --keep-going skips c.
        string data = EvalTestData.MakeRoot("Mixed", EvalTestData.TwoImages());
        try
        {
            byte[] png = File.ReadAllBytes(Path.Combine(data, "Mixed", "a.png"));
            string bad = Path.Combine(data, "Mixed", "c.png");
            File.WriteAllBytes(bad, png[..(png.Length / 2)]);
            string weights = Path.Combine(_root, "test.ckpt");
            using (var net = new KbSrNet(KbSrConfig.Test)) Checkpoint.Save(weights, net, new TrainingState());

            string prefix = Path.Combine(_root, "stopped"), stopped = prefix;
            var (code, stdout, stderr) = await CliProcess.RunAsync(
                ["eval", "--weights", "net=" + weights, "--sets", "Mixed", "--sigmas", "1.3", "--data", data, "--out", prefix], 300);
            Assert.True(code == 1, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains($"stopped at {bad}", stderr);
            Assert.DoesNotContain('\0', stderr);
            Assert.Equal(5, File.ReadAllLines(prefix + "-images.csv").Length);   // header + 2 images × (bicubic, net)
            Assert.Contains("**Incomplete**", File.ReadAllText(prefix + ".md"));

            prefix = Path.Combine(_root, "skipped");
            (code, stdout, stderr) = await CliProcess.RunAsync(
                ["eval", "--weights", "net=" + weights, "--sets", "Mixed", "--sigmas", "1.3", "--data", data, "--keep-going", "--out", prefix], 300);
            Assert.True(code == 1, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("skipped Mixed/c.png", stderr);
            Assert.Equal(5, File.ReadAllLines(prefix + "-images.csv").Length);
            Assert.Contains("Mixed,c.png,,skipped,", File.ReadAllText(prefix + "-skipped.csv"));
            Assert.Contains("Skipped 1 image(s)", File.ReadAllText(prefix + ".md"));

            // The stopped run's journal holds a and b: a plain rerun refuses to drop it; --resume (c repaired) evaluates c only.
            string[] again = ["eval", "--weights", "net=" + weights, "--sets", "Mixed", "--sigmas", "1.3", "--data", data, "--out", stopped];
            (code, stdout, stderr) = await CliProcess.RunAsync(again, 300);
            Assert.True(code != 0, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("pass --resume to continue it", stderr);
            File.WriteAllBytes(bad, png);
            (code, stdout, stderr) = await CliProcess.RunAsync([.. again, "--resume"], 300);
            Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("resuming: 2 image × σ evaluations read back", stdout);
            Assert.Equal(["a", "a", "b", "b", "c", "c"], File.ReadAllLines(stopped + "-images.csv").Skip(1).Select(l => l.Split(',')[3]));
            Assert.False(File.Exists(stopped + "-journal.csv"));
        }
        finally { Directory.Delete(data, recursive: true); }
    }

    [SkippableFact]
    public async Task DataGet_CancelledBySigterm_EndsWithOneLine_AndLeavesNothing()
    {
        Prerequisite.Require(OperatingSystem.IsLinux(), "needs Linux (SIGTERM is a POSIX signal)");
        using var server = ScriptedHttpServer.Stalling();
        string root = Path.Combine(_root, "data");
        using var p = CliProcess.Start("data", "get", "Set5", "--url", server.Url + "set5.zip", "--data", root, "--timeout", "600");
        var downloading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new List<string>();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (errors) errors.Add(e.Data);
            if (e.Data.StartsWith("downloading", StringComparison.Ordinal)) downloading.TrySetResult();
        };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        await downloading.Task.WaitAsync(TimeSpan.FromMinutes(3));
        await Task.Delay(500);   // into the stalled body read
        Assert.Equal(0, kill(p.Id, 15));
        Assert.True(p.WaitForExit(60_000), "kbsr data get did not stop after SIGTERM");
        p.WaitForExit();   // drains the event readers
        string text;
        lock (errors) text = string.Join('\n', errors);
        Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}\n{text}");
        Assert.Contains("kbsr data get: cancelled; nothing was kept", text);
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain("   at ", text);
        Assert.Empty(Directory.Exists(root) ? Directory.GetFileSystemEntries(root) : []);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
