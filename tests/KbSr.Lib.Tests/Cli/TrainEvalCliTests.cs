using System.Globalization;
using System.Runtime.InteropServices;
using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Model;
using KbSr.Training;
using KbSr.Tests.Evaluation;

namespace KbSr.Tests.Cli;

/// <summary>The CLI end to end, as a user runs it: a short training run, then `kbsr eval`, on the repository's own
/// images (<see cref="SampleData"/>), so it runs on a machine with no datasets.</summary>
public sealed class TrainEvalCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Train20Steps_ThenExport_ThenEval_WritesRunFolderCardAndTables()
    {
        string data = SampleData.MakeRoot(Path.Combine(_root, "data"));
        (string, string)[] env = [("KBSR_DATA", data)];
        string run = Path.Combine(_root, "run");
        var (code, stdout, stderr) = await CliProcess.RunAsync(
            ["train", "--preset", "Small", "--data", SampleData.Set, "--steps", "20", "--batch", "4", "--patch", "64", "--seed", "3",
             "--set", "validateEvery=0", "--set", "logEvery=10", "--out", run], env);
        Assert.True(code == 0, $"train exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("Completed: step 20/20", stdout);
        foreach (string f in new[] { "train.json", "environment.json", "metrics.jsonl", "metrics.csv", "checkpoints/last.ckpt" })
            Assert.True(File.Exists(Path.Combine(run, f)), f + " missing");
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length); // header + steps 10, 20

        string weights = Path.Combine(_root, "weights", "net.ckpt");
        (code, stdout, stderr) = await CliProcess.RunAsync(["export", run, "--out", weights, "--name", "net"]);
        Assert.True(code == 0, $"export exit {code}\n{stdout}\n{stderr}");
        var card = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(weights, ".json")))!;
        Assert.Equal(20, card["steps"]!.GetValue<long>());
        Assert.Equal(SampleData.Set, card["trainingData"]!.GetValue<string>());
        Assert.Null(card["validationData"]);   // validateEvery=0: the run never validated
        Assert.Equal("Small", card["preset"]!.GetValue<string>());
        Assert.StartsWith("kbsr train --preset Small", card["command"]!.GetValue<string>());
        Assert.True(new FileInfo(weights).Length < new FileInfo(Path.Combine(run, "checkpoints", "last.ckpt")).Length,
            "exported weights carry no optimiser state, so they are smaller than the checkpoint");

        // Training on from the exported weights: the step count goes on, and the new card carries the old one.
        string more = Path.Combine(_root, "more");
        (code, stdout, stderr) = await CliProcess.RunAsync(
            ["train", "--preset", "Small", "--data", SampleData.Set, "--steps", "24", "--batch", "4", "--patch", "64", "--seed", "3",
             "--set", "validateEvery=0", "--set", "logEvery=2", "--init", weights, "--out", more], env);
        Assert.True(code == 0, $"train --init exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("at step 20 (Adam moments start from zero)", stdout);
        Assert.Contains("Completed: step 24/24", stdout);
        string moreWeights = Path.Combine(_root, "weights", "more.ckpt");
        (code, stdout, stderr) = await CliProcess.RunAsync(["export", more, "--out", moreWeights]);
        Assert.True(code == 0, $"export exit {code}\n{stdout}\n{stderr}");
        var moreCard = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(moreWeights, ".json")))!;
        Assert.Equal(24, moreCard["steps"]!.GetValue<long>());
        Assert.Equal(20, moreCard["startedFrom"]!["steps"]!.GetValue<long>());
        Assert.Equal(card["sha256"]!.GetValue<string>(), moreCard["startedFrom"]!["sha256"]!.GetValue<string>());
        Assert.Contains("--init", moreCard["command"]!.GetValue<string>());
        Assert.True(moreCard["totalWallTimeSeconds"]!.GetValue<double>() >= moreCard["wallTimeSeconds"]!.GetValue<double>());

        (code, _, stderr) = await CliProcess.RunAsync(["train", "--preset", "Small", "--steps", "2", "--init", weights, "--resume", "--out", more]);
        Assert.Equal(2, code);
        Assert.Contains("--init and --resume", stderr);

        string prefix = Path.Combine(_root, "eval");
        (code, stdout, stderr) = await CliProcess.RunAsync(
            ["eval", "--weights", "net=" + weights, "--sets", SampleData.Set, "--sigmas", "2.6", "--max-images", "2", "--out", prefix], env);
        Assert.True(code == 0, $"eval exit {code}\n{stdout}\n{stderr}");
        var rows = EvaluatorTests.ReadCsv(prefix + ".csv");
        Assert.Equal(["bicubic", "net"], rows.Select(r => r["method"]).ToArray());
        Assert.All(rows, r => Assert.Equal("2.6", r["sigma"]));
        Assert.Contains("| net |", File.ReadAllText(prefix + ".md"));
        Assert.Contains($"T = 4: {StageSupervision.Describe(4)}", stdout);   // the per-stage table says which stages eq. 3 trains
        // The numbers are the library's: the same weights evaluated in this process on the same two images. (Another
        // process may order float sums differently, so the network's row may differ by a rounding flip of a pixel.)
        using (var checkpoint = Checkpoint.Read(weights))
        using (var net = checkpoint.CreateNetwork())
        {
            var expected = new Evaluator(new EvalOptions([SampleData.Set], [2.6], DataRoot: data, MaxImages: 2))
                .Run([new BicubicUpsampler(), new KbSrSuperResolver(net, "net")]).Summary();
            foreach (var (row, summary) in rows.Zip(expected))
            {
                Assert.Equal(summary.Method, row["method"]);
                Assert.Equal(summary.PsnrY, double.Parse(row["psnr_y"], CultureInfo.InvariantCulture), 3);
                Assert.Equal(summary.SsimY, double.Parse(row["ssim_y"], CultureInfo.InvariantCulture), 5);
            }
            Assert.Equal(expected[0].PsnrY, double.Parse(rows[0]["psnr_y"], CultureInfo.InvariantCulture));   // bicubic: exactly
        }
    }

    [SkippableFact]
    public async Task Train_OnSigterm_WritesACheckpointAndExits()
    {
        Prerequisite.Require(OperatingSystem.IsLinux(), "SIGTERM is a POSIX signal: this test runs on Linux");
        string data = SampleData.MakeRoot(Path.Combine(_root, "data"));
        string run = Path.Combine(_root, "run");
        using var p = CliProcess.Start(["train", "--preset", "Test", "--data", SampleData.Set, "--steps", "100000", "--batch", "2", "--patch", "16",
            "--set", "kernels.kernelSize=5", "--set", "validateEvery=0", "--set", "logEvery=1", "--out", run], [("KBSR_DATA", data)]);
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
