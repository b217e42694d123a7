using KbSr.Model;

namespace KbSr.Tests.Cli;

/// <summary>The Table-1 networks through the CLI, as the training recipe in data/weights/README.md runs them: each Test
/// preset trains a few steps (IKC in its two phases, the second started with --init from the first), then one
/// `kbsr eval` by weights file puts every network in one table — non-blind ones given the true kernel and with IKC's
/// Predictor's kernel — with parameters, FLOPs per LR pixel and the paired bootstrap against KB-SR.</summary>
public sealed class BaselineCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-baselines-cli-").FullName;
    private readonly (string, string)[] _data;

    /// <summary>Every command reads the repository's own images (<see cref="SampleData"/>): this is CLI plumbing, not a benchmark.</summary>
    public BaselineCliTests() => _data = [("KBSR_DATA", SampleData.MakeRoot(Path.Combine(_root, "data")))];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<(int Code, string Stdout, string Stderr)> Kbsr(params string[] arguments) => CliProcess.RunAsync(arguments, _data);

    private async Task<string> Train(string preset, string name, int steps = 2, params string[] extra)
    {
        string run = Path.Combine(_root, name);
        var (code, stdout, stderr) = await Kbsr(
            ["train", "--preset", preset, "--data", SampleData.Set, "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch", "2", "--patch", "16", "--seed", "2",
             "--set", "validateEvery=0", "--set", "logEvery=1", "--set", "kernels.kernelSize=5", .. extra, "--out", run]);
        Assert.True(code == 0, $"train {preset} exit {code}\n{stdout}\n{stderr}");
        Assert.Contains($"Completed: step {steps}/{steps}", stdout);
        Assert.Equal(preset == "Test", stdout.Contains("loss = eq. 3 without the constant", StringComparison.Ordinal));   // KB-SR's note only
        return Path.Combine(run, "checkpoints", "last.ckpt");
    }

    [Fact]
    public async Task EveryNetwork_TrainsThenEvaluatesByWeightsFile_InOneTableWithCostsAndPairedIntervals()
    {
        string kbsr = await Train("Test", "kbsr");
        var weights = new List<string> { $"KB-SR={kbsr}" };
        foreach (string model in new[] { "srcnn-cab", "srmd-nf", "srresnet-concat", "sftmd" })
            weights.Add($"{model}={await Train($"{model}-test", model)}");
        await Train("ikc-test", "ikc-sftmd", 2, "--set", "schedule=sftmd");
        // As the recipe does: export the first phase's weights (with the card), start the second phase from them.
        string sftmdPhase = Path.Combine(_root, "ikc-sftmd.ckpt");
        var (code, stdout, stderr) = await Kbsr(["export", Path.Combine(_root, "ikc-sftmd"), "--out", sftmdPhase]);
        Assert.True(code == 0, $"export exit {code}\n{stdout}\n{stderr}");
        var card = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(sftmdPhase, ".json")))!;
        Assert.Equal("ikc-test", card["preset"]!.GetValue<string>());
        string ikc = await Train("ikc-test", "ikc", 3, "--set", "schedule=predictor-corrector", "--init", sftmdPhase);
        weights.Add($"IKC={ikc}");
        string dan = await Train("dan-test", "dan");
        weights.Add($"DAN={dan}");

        // IKC trained jointly is refused with the two-phase recipe in the message.
        (code, stdout, stderr) = await Kbsr(
            ["train", "--preset", "ikc-test", "--data", SampleData.Set, "--steps", "1", "--set", "kernels.kernelSize=5", "--out", Path.Combine(_root, "joint")]);
        Assert.NotEqual(0, code);
        Assert.Contains("schedule=predictor", stderr);
        Assert.Contains("schedule=corrector", stderr);

        string prefix = Path.Combine(_root, "table");
        (code, stdout, stderr) = await Kbsr(
            ["eval", "--weights", .. weights, "--kernel-estimator", ikc, $"DAN={dan}", "--sets", SampleData.Set, "--max-images", "1",
             "--sigmas", "1.3", "--bootstrap", "200", "--reference", "KB-SR,IKC", "--out", prefix]);
        Assert.True(code == 0, $"eval exit {code}\n{stdout}\n{stderr}");
        string md = File.ReadAllText(prefix + ".md");
        Assert.Contains("| method | params | MFLOP/LR px | σ=1.3 |", md);
        foreach (string model in new[] { "srcnn-cab", "srmd-nf", "srresnet-concat", "sftmd" })
        {
            Assert.Contains($"| {model} (true kernel) |", md);
            Assert.Contains($"| {model} (kernel by IKC Predictor) |", md);
            Assert.Contains($"| {model} (kernel by DAN) |", md);
        }
        Assert.Contains("| IKC |", md);
        Assert.Contains("| DAN |", md);
        Assert.Contains("| bicubic | – | – |", md);
        // The row's parameter count is the network's: IKC's Test preset, built here.
        using (var ikcNet = ModelRegistry.Build(ModelRegistry.Preset("ikc-test")))
            Assert.Contains($"| IKC | {KbSr.Evaluation.EvalResults.FormatParameters(ikcNet.ParameterCount())} |", md);
        // 1 image × (bicubic, KB-SR, 4 × 3 non-blind rows, IKC, DAN) = 16 rows.
        Assert.Equal(1 + 16, File.ReadAllLines(prefix + "-images.csv").Length);

        string paired = File.ReadAllText(prefix + "-paired.md");
        Assert.Contains("PSNR(**KB-SR**) − PSNR(method)", paired);
        Assert.Contains("| IKC |", paired);
        Assert.Contains("| sftmd (kernel by IKC Predictor) |", paired);
        // Two references: KB-SR against the 15 other rows, then IKC against its 15 (KB-SR among them, the sign flipped).
        Assert.Contains("PSNR(**IKC**) − PSNR(method)", paired);
        var lines = File.ReadAllLines(prefix + "-paired.csv").Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(30, lines.Count);
        double Mean(string reference, string method) =>
            double.Parse(lines.Single(l => l[0] == reference && l[1] == method)[5], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(-Mean("KB-SR", "IKC"), Mean("IKC", "KB-SR"), 12);

        // A reference that names no row is refused before anything is evaluated, with the rows listed.
        (code, stdout, stderr) = await Kbsr(
            ["eval", "--weights", .. weights, "--sets", SampleData.Set, "--max-images", "1", "--sigmas", "1.3",
             "--reference", "KB-SR,Nobody", "--out", Path.Combine(_root, "refused")]);
        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("--reference Nobody: expected the name of an evaluated row (bicubic, KB-SR,", stderr);
        Assert.False(File.Exists(Path.Combine(_root, "refused-journal.csv")), "nothing may be evaluated before the check");
    }

    /// <summary>A non-blind network has no kernel estimate, so its validation log's kernel error is NaN; the card writes
    /// null for it (JSON has no NaN) and names the Small-sized preset, not "a modified Paper one".</summary>
    [Fact]
    public async Task Export_OfANonBlindRun_NamesItsPreset_AndWritesNullForTheUndefinedKernelError()
    {
        await Train("srmd-nf-test", "srmd-validated", 2, "--set", "validateEvery=2", "--set", $"validationSet={SampleData.Set}", "--set", "validationImages=1", "--set", "validationSigmas=[2.6]");
        string run = Path.Combine(_root, "srmd-validated");
        Assert.Contains("NaN", File.ReadAllLines(Path.Combine(run, "validation.csv"))[1]);
        string target = Path.Combine(_root, "srmd.ckpt");
        var (code, stdout, stderr) = await Kbsr(["export", run, "--out", target]);
        Assert.True(code == 0, $"export exit {code}\n{stdout}\n{stderr}");
        var card = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(target, ".json")))!;
        Assert.Equal("srmd-nf-test", card["preset"]!.GetValue<string>());
        Assert.Equal(SampleData.Set, card["validationData"]!.GetValue<string>());   // every card says what its run validated on
        var validation = card["lastValidation"]!.AsObject();
        Assert.True(validation.ContainsKey("kernel_l1"));
        Assert.Null(validation["kernel_l1"]);
        // The card's PSNR is the log's last one, rounded to 4 decimals.
        string[] lastRow = File.ReadAllLines(Path.Combine(run, "validation.csv"))[^1].Split(',');
        double logged = double.Parse(lastRow[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Math.Round(logged, 4), validation["psnr_y"]!.GetValue<double>());
    }

    [Fact]
    public async Task ModelSummary_OfAPaperPreset_PrintsTheHandCountedTotalAndFlopsPerLrPixel()
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["model", "summary", "--preset", "sftmd-paper"]);
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("4,234,691", stdout);   // BaselineArchitectureTests.SftmdPaper(4)
        Assert.Contains("FLOPs per LR pixel:", stdout);
    }
}
