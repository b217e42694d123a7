using System.Globalization;
using System.Text.RegularExpressions;
using KbSr.Charts;
using KbSr.Evaluation;
using KbSr.Imaging;
using KbSr.Inference;
using KbSr.Model;
using KbSr.Runtime;
using KbSr.Tests.Evaluation;
using KbSr.Training;
using static TorchSharp.torch;

namespace KbSr.Tests.Cli;

/// <summary>`demo`, `sr`, `synth`, `bench` and `model summary` run end to end as a user runs them, on tiny inputs and the
/// Test preset (seconds each), and their main output checked against the library or an independent reference.</summary>
public sealed partial class CommandsCliTests : IDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-cli-commands-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Weights of a seeded, untrained Test-preset network (×2, 5×5 kernels), as `kbsr export` writes them.</summary>
    private string TestWeights()
    {
        string path = Path.Combine(_root, "test.ckpt");
        TorchRuntime.Seed(21);
        using var net = new KbSrNet(KbSrConfig.Test);
        Checkpoint.Save(path, net, new TrainingState { Step = 0, Seed = 21 });
        return path;
    }

    private static KbSrNet Load(string weights)
    {
        using var checkpoint = Checkpoint.Read(weights);
        var net = checkpoint.CreateNetwork();
        net.eval();
        return net;
    }

    [Fact]
    public async Task Demo_PrintsTheEvaluatorsScoresForTheSameImage_AndWritesImagesAndReport()
    {
        string weights = TestWeights();
        string data = Path.Combine(_root, "data");
        string image = Path.Combine(data, "One", "smooth.png");
        ImageFile.WritePng(EvalTestData.Smooth(50, 42, seed: 4), image);
        string outFolder = Path.Combine(_root, "demo");
        var (code, stdout, stderr) = await CliProcess.RunAsync(
            ["demo", "--image", image, "--weights", weights, "--sigma", "1.3", "--out", outFolder], 300);
        Assert.True(code == 0, $"demo exit {code}\n{stdout}\n{stderr}");
        foreach (string f in new[] { "hr.png", "lr.png", "bicubic.png", "sr.png", "kernel_true.png", "kernel_estimated.png", "report.html" })
            Assert.True(File.Exists(Path.Combine(outFolder, f)), f + " missing\n" + stdout);
        var sr = ImageFile.Read(Path.Combine(outFolder, "sr.png"));
        Assert.Equal((50 / 2 * 2, 42 / 2 * 2), (sr.Width, sr.Height));

        // The same image through `kbsr eval`'s evaluator: the printed numbers must be its numbers.
        using var net = Load(weights);
        var scores = new Evaluator(new EvalOptions(["One"], [1.3], KbSrConfig.Test.Scale, KbSrConfig.Test.KernelSize, DataRoot: data))
            .Run([new BicubicUpsampler(), new KbSrSuperResolver(net, "net")]).Images;
        var (bicubic, network) = (scores[0], scores[1]);
        var table = stdout.Split('\n').Select(l => l.Trim()).ToList();
        string bicubicLine = table.Single(l => l.StartsWith("bicubic ", StringComparison.Ordinal));
        string networkLine = table.Single(l => l.StartsWith("KB-SR (test.ckpt)", StringComparison.Ordinal));
        Assert.EndsWith($"{bicubic.PsnrY.ToString("0.00", Inv)} {bicubic.SsimY.ToString("0.0000", Inv)}", Squeeze(bicubicLine));
        Assert.EndsWith($"{network.PsnrY.ToString("0.00", Inv)} {network.SsimY.ToString("0.0000", Inv)}", Squeeze(networkLine));
        Assert.Contains("per-stage PSNR-Y: " + string.Join("  ", network.StagePsnrY!.Select((p, t) => $"t{t + 1} {p.ToString("0.00", Inv)}")), stdout);
        Assert.Contains($"stages: {StageSupervision.Describe(net.Config)}", stdout);   // which stages eq. 3 trains, beside their PSNR
        Assert.Contains($"L1 error {network.KernelL1!.Value.ToString("0.000", Inv)}", stdout);
        Assert.Contains(bicubic.PsnrY.ToString("0.00", Inv), File.ReadAllText(Path.Combine(outFolder, "report.html")));
    }

    /// <summary>The README's first command on a machine with no datasets: the demo super-resolves the shipped photograph
    /// with the shipped weights, prints both PSNRs in one table (no native noise), and `--figures` writes the README's
    /// pictures with the Markdown that shows them — the same numbers the README quotes.</summary>
    [Fact]
    public async Task Demo_WithoutDatasets_UsesTheShippedPhotograph_AndWritesTheReadmeFigures()
    {
        string outFolder = Path.Combine(_root, "demo-photo"), figures = Path.Combine(_root, "img");
        var (code, stdout, stderr) = await CliProcess.RunAsync(
            ["demo", "--out", outFolder, "--figures", figures], [("KBSR_DATA", Path.Combine(_root, "no-data-root"))], 300);
        Assert.True(code == 0, $"demo exit {code}\n{stdout}\n{stderr}");
        Assert.Contains($"HR: {SamplePhoto.Description} (448×300)", stdout);
        Assert.DoesNotContain("NNPACK", stdout + stderr);
        Assert.DoesNotContain(stdout.Split('\n'), l => l.StartsWith("note:", StringComparison.Ordinal) && !l.StartsWith("note: table1-chart.png", StringComparison.Ordinal));
        var lines = stdout.Split('\n').Select(l => Squeeze(l.Trim())).ToList();
        double Psnr(string prefix) => double.Parse(lines.Single(l => l.StartsWith(prefix, StringComparison.Ordinal)).Split(' ')[^2], Inv);
        double bicubic = Psnr("bicubic "), network = Psnr("KB-SR (kbsr-small.ckpt) ");
        Assert.True(network - bicubic > 1.0, $"shipped weights on the shipped photograph: bicubic {bicubic}, KB-SR {network}");

        foreach (string png in new[] { "demo-crop.png", "demo-kernels.png" })
            Assert.InRange(new FileInfo(Path.Combine(figures, png)).Length, 1, 300_000);
        if (ChromiumRenderer.IsAvailable) Assert.InRange(new FileInfo(Path.Combine(figures, "table1-chart.png")).Length, 1, 300_000);
        else Assert.Contains("note: table1-chart.png: no headless browser", stdout);
        string markdown = File.ReadAllText(Path.Combine(figures, "figures.md"));
        Assert.Contains($"bicubic ({bicubic.ToString("0.00", Inv)} dB)", markdown);
        Assert.Contains($"({network.ToString("0.00", Inv)} dB)", markdown);

        // The README shows the committed figures with this run's Markdown: regenerate both with `kbsr demo --figures docs/img`.
        string readme = File.ReadAllText(Path.Combine(TestSetup.RepoRoot, "README.md"));
        Assert.Contains($"]({figures}/demo-crop.png)", markdown);   // links name the folder the figures went to
        foreach (string line in markdown.Replace(figures + "/", "docs/img/").Split('\n').Where(l => l.Length > 0))
            Assert.True(readme.Contains(line, StringComparison.Ordinal), $"README.md lacks this line of figures.md (rerun `kbsr demo --figures docs/img`):\n{line}");
        foreach (string png in new[] { "demo-crop.png", "demo-kernels.png", "table1-chart.png" })
            Assert.InRange(new FileInfo(Path.Combine(TestSetup.RepoRoot, "docs", "img", png)).Length, 1, 300_000);
    }

    [Theory]
    [InlineData(0)]   // the whole image at once
    [InlineData(16)]  // 16×16 LR tiles (the smallest the CLI accepts) with a 4-pixel margin: 3×2 tiles
    public async Task Sr_WritesTheNetworksImageAndKernel(int tile)
    {
        string weights = TestWeights();
        string input = Path.Combine(_root, "in.png");
        ImageFile.WritePng(EvalTestData.Smooth(40, 30, seed: 8), input);
        string output = Path.Combine(_root, "out.png");
        var (code, stdout, stderr) = await CliProcess.RunAsync(
            ["sr", input, "--weights", weights, "--out", output, "--tile", tile.ToString(Inv), "--margin", "4"], 300);
        Assert.True(code == 0, $"sr exit {code}\n{stdout}\n{stderr}");
        Assert.Contains($"wrote {output}", stdout);
        string kernelPath = Path.Combine(_root, "out_kernel.png");
        Assert.True(File.Exists(kernelPath), "kernel image missing\n" + stdout);

        using var net = Load(weights);
        using var scope = NewDisposeScope();
        ISuperResolver resolver = tile > 0 ? new TiledSuperResolver(net, tile, 4) : new KbSrSuperResolver(net);
        using var expected = resolver.SuperResolve(ImageFile.Read(input).ToTensor().unsqueeze(0), 2);
        var written = ImageFile.Read(output);
        Assert.Equal((80, 60), (written.Width, written.Height));
        // Another process may sum in another order: a pixel may round to the neighbouring level, no further.
        var difference = written.ToTensor().sub(RgbImage.FromTensor(expected.Sr[0]).ToTensor()).abs().mul(255);
        Assert.True(difference.max().item<float>() <= 1.001f, $"max difference {difference.max().item<float>()} levels");
        Assert.True(difference.mean().item<float>() < 0.01f, $"mean difference {difference.mean().item<float>()} levels");
        Assert.Equal(KernelImage.ToImage(expected.Kernel!).Width, ImageFile.Read(kernelPath).Width);
    }

    [Fact]
    public async Task Synth_WritesTheLrImagesOfTheIndependentReference()
    {
        string data = EvalTestData.MakeRoot("Ref", EvalTestData.GoldenImages());
        try
        {
            string outRoot = Path.Combine(_root, "lr");
            var (code, stdout, stderr) = await CliProcess.RunAsync(["synth", "--sets", "Ref", "--sigmas", "0,1.3", "--data", data, "--out", outRoot], 300);
            Assert.True(code == 0, $"synth exit {code}\n{stdout}\n{stderr}");
            foreach (var golden in EvalTestData.Reference.Images)
                foreach (var g in golden.Sigmas)
                {
                    string folder = TestSetSynthesis.Folder(outRoot, "Ref", 4, g.Sigma);
                    Assert.Contains($"Ref σ={EvalResults.SigmaLabel(g.Sigma)} → {folder} (2 images)", stdout);
                    var lr = ImageFile.Read(Path.Combine(folder, golden.Name + ".png"));
                    Assert.Equal((g.LrWidth, g.LrHeight), (lr.Width, lr.Height));
                    // PNG bytes are interleaved [y][x][c]; the reference lists [c][y][x].
                    var ambiguous = g.LrAmbiguous.ToHashSet();
                    for (int c = 0; c < 3; c++)
                        for (int y = 0; y < lr.Height; y++)
                            for (int x = 0; x < lr.Width; x++)
                            {
                                int i = (c * lr.Height + y) * lr.Width + x;
                                int actual = lr.Pixels[(y * lr.Width + x) * 3 + c];
                                Assert.True(actual == g.Lr[i] || (ambiguous.Contains(i) && Math.Abs(actual - g.Lr[i]) == 1),
                                    $"{golden.Name} σ={g.Sigma} ({x},{y}) channel {c}: {actual}, reference {g.Lr[i]}");
                            }
                }
        }
        finally { Directory.Delete(data, recursive: true); }
    }

    [Fact]
    public async Task Bench_OfTheTestPreset_TimesItAndReportsItsParameterCount()
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["bench", "--preset", "Test", "--steps", "1", "--batch", "1", "--lr-size", "8"], 300);
        Assert.True(code == 0, $"bench exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("batch 1 of 8×8 LR, 1 timed steps", stdout);
        var cells = Squeeze(stdout.Split('\n').Single(l => l.StartsWith("Test ", StringComparison.Ordinal))).Split(' ');
        using var net = new KbSrNet(KbSrConfig.Test);
        Assert.Equal(net.parameters().Sum(p => p.numel()), long.Parse(cells[1], NumberStyles.AllowThousands, Inv));
        Assert.All(cells[2..4], ms => Assert.True(double.Parse(ms, Inv) > 0, $"step time {ms}"));
    }

    [Fact]
    public async Task ModelSummary_OfTheTestPreset_ListsTheLibrarysParameterCountsAndFlops()
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["model", "summary", "--preset", "Test", "--lr-size", "8"], 300);
        Assert.True(code == 0, $"model summary exit {code}\n{stdout}\n{stderr}");
        using var net = new KbSrNet(KbSrConfig.Test);
        var blocks = ModelComplexity.ParametersPerBlock(net);
        var costs = ModelComplexity.Estimate(KbSrConfig.Test, 8, 8);
        var lines = stdout.Split('\n').Select(Squeeze).ToList();
        foreach (var (block, count) in blocks)
            Assert.Contains(lines, l => l.StartsWith($"{block} {count.ToString("N0", Inv)} ", StringComparison.Ordinal));
        long total = net.parameters().Sum(p => p.numel());
        Assert.Equal(total, blocks.Sum(b => b.Parameters));
        Assert.Contains(lines, l => l.StartsWith($"total {total.ToString("N0", Inv)} {(costs.Sum(c => c.Flops) / 1e9).ToString("F3", Inv)} ", StringComparison.Ordinal));
        Assert.Contains($"T = {KbSrConfig.Test.Stages}, C = {KbSrConfig.Test.Channels}", stdout);
    }

    private static string Squeeze(string line) => Spaces().Replace(line.Trim(), " ");

    [GeneratedRegex(" +")]
    private static partial Regex Spaces();
}
