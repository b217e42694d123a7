using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using KbSr.Charts;
using KbSr.Data;
using KbSr.Evaluation;
using KbSr.Imaging;
using KbSr.Inference;
using KbSr.Model;
using KbSr.Runtime;
using KbSr.Training;
using static TorchSharp.torch;

namespace KbSr.Cli.Commands;

/// <summary>
/// `kbsr demo`, the README's main job: degrade one image with eq. (1), super-resolve it, compare with bicubic,
/// and write the images and an HTML report with the kernels. The image: <see cref="DemoImage"/> (Set5's butterfly
/// when a data root has it, optionally downloaded, else the photograph the toolkit ships, data/images/README.md);
/// the shipped weights when present, else a network trained for a few seconds here (and says so). `--figures DIR`
/// also writes the README's pictures (<see cref="DemoFigures"/>).
/// </summary>
internal static class DemoCommand
{
    public const string ShippedWeights = "data/weights/kbsr-small.ckpt";

    public static Command Build()
    {
        var sigma = new Option<double>("--sigma") { Description = "Blur σ of the degradation (HR pixels)", DefaultValueFactory = _ => 2.6 };
        var image = new Option<string?>("--image") { Description = "HR image to degrade (default: Set5 img_003 if found, else the sample photograph shipped with the toolkit)" };
        var weights = new Option<string?>("--weights") { Description = $"Checkpoint (default: {ShippedWeights} if present)" };
        var quick = new Option<double>("--quick-train-seconds") { Description = "Without weights: train this long first", DefaultValueFactory = _ => 40 };
        var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => "out/demo" };
        var data = new Option<string?>("--data") { Description = "Data root holding Set5/ (default: KBSR_DATA, else data/datasets in the repository)" };
        var download = new Option<bool>("--download") { Description = "Without Set5 in the data root: download it first (`kbsr data get Set5`; needs internet)" };
        var figures = new Option<string?>("--figures") { Description = "Also write the README's pictures into this folder (crop, kernels, Table-1 chart, figures.md), e.g. docs/img" };
        var device = CommonOptions.Device();
        var command = new Command("demo", "Degrade an image, super-resolve it, compare with bicubic, write images and an HTML report")
        {
            sigma, image, weights, quick, output, data, download, figures, device,
        };
        command.SetAction(parse => Run(parse.GetValue(sigma), parse.GetValue(image), parse.GetValue(weights),
            parse.GetValue(quick), parse.GetValue(output)!, parse.GetValue(device), parse.GetValue(data), parse.GetValue(download),
            parse.GetValue(figures)));
        return command;
    }

    private static int Run(double sigma, string? imagePath, string? weightsPath, double quickSeconds, string outFolder, string? deviceName,
        string? dataRoot, bool download, string? figuresFolder)
    {
        if (figuresFolder is not null && string.IsNullOrWhiteSpace(figuresFolder))
            throw new ArgumentException("--figures: expected a folder to write the figures into");
        var inv = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();
        var device = TorchRuntime.SelectDevice(deviceName);
        Directory.CreateDirectory(outFolder);

        var choice = DemoImage.Choose(imagePath, dataRoot, download
            ? root => DatasetDownloader.GetAsync(DatasetCatalog.Find("Set5"), root, progress: new DataCommand.ConsoleProgress())
            : null);
        if (choice.Note is not null) Console.WriteLine(choice.Note);
        var (hrImage, source) = (choice.Image, choice.Source);
        string? weights = weightsPath ?? FindShippedWeights();
        KbSrNet net;
        string label;
        if (weights is not null)
        {
            net = ModelFiles.Load(weights, device).Net;
            label = $"KB-SR ({Path.GetFileName(weights)})";
        }
        else
        {
            Console.WriteLine($"no trained weights found ({ShippedWeights}); training a Small network for {quickSeconds:0} s first —");
            Console.WriteLine("its result only shows the pipeline working, not what KB-SR can do.");
            net = QuickTrain(hrImage, quickSeconds, Path.Combine(outFolder, $"quick-train-{DateTime.UtcNow:yyyyMMdd-HHmmss}"), device);
            label = $"KB-SR Small, trained {quickSeconds:0} s here (not the shipped weights)";
        }
        using var netOwner = net;
        int scale = net.Config.Scale;
        hrImage = hrImage.ModCrop(scale);

        using var scope = NewDisposeScope();
        var hr = hrImage.ToTensor(device);
        var lr = TestSetSynthesis.MakeLr(hr, sigma, scale, net.Config.KernelSize);
        var trueKernel = TestSetSynthesis.TrueKernel(sigma, net.Config.KernelSize, device);
        using var bicubic = new BicubicUpsampler().SuperResolve(lr, scale);
        using var result = new KbSrSuperResolver(net, label).SuperResolve(lr, scale);

        // Scored exactly as `kbsr eval` scores every image (same function, same shave, same kernel error).
        var bicubicScore = Evaluator.Score("bicubic", "demo", sigma, "hr", bicubic, hr, hrImage.WasGrey, trueKernel, scale);
        var score = Evaluator.Score(label, "demo", sigma, "hr", result, hr, hrImage.WasGrey, trueKernel, scale);
        var stagePsnr = score.StagePsnrY!;
        double kernelL1 = score.KernelL1!.Value;

        var images = new (string Name, RgbImage Image)[]
        {
            ("hr", hrImage), ("lr", RgbImage.FromTensor(lr[0])), ("bicubic", RgbImage.FromTensor(bicubic.Sr[0])),
            ("sr", RgbImage.FromTensor(result.Sr[0])), ("kernel_true", KernelImage.ToImage(trueKernel)),
            ("kernel_estimated", KernelImage.ToImage(result.Kernel!)),
        };
        foreach (var (name, img) in images) ImageFile.WritePng(img, Path.Combine(outFolder, name + ".png"));

        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "method", "PSNR-Y (dB)", "SSIM-Y" },
            new[] { "bicubic", bicubicScore.PsnrY.ToString("0.00", inv), bicubicScore.SsimY.ToString("0.0000", inv) },
            new[] { label, score.PsnrY.ToString("0.00", inv), score.SsimY.ToString("0.0000", inv) },
        };
        var report = new HtmlReport($"KB-SR demo: ×{scale}, σ = {sigma.ToString("0.0##", inv)}")
            .Paragraph($"HR: {source}{(choice.IsSamplePhoto ? $" ({DemoImage.HowToGetSet5})" : "")}. LR = (HR ⊛ k)↓{scale} with an isotropic {net.Config.KernelSize}×{net.Config.KernelSize} Gaussian of σ = {sigma.ToString("0.0##", inv)}, MATLAB bicubic, 8-bit (eq. 1). Network: {label}.")
            .Table(rows)
            .Images([("LR (input, shown enlarged)", images[1].Image), ("bicubic", images[2].Image), ("KB-SR", images[3].Image), ("HR (ground truth)", hrImage)], 320)
            .Heading("Blur kernels: true, then the estimate of every stage t")
            .Chart(KernelCharts.Gallery([trueKernel, .. result.StageKernels!],
                ["true", .. result.StageKernels!.Select((_, t) => $"K{t + 1}")], title: $"estimated kernels, final L1 error {kernelL1.ToString("0.000", inv)}"))
            .Chart(KernelCharts.CentreProfiles([trueKernel, result.Kernel!], ["true", "estimated K_T"]))
            .Heading("PSNR of each stage's SR_t")
            .Paragraph(StageSupervision.Describe(net.Config) + ". The final SR is made from all stages' SR features by its own convolution.")
            .Chart(CurveCharts.Lines(new Dictionary<string, (IReadOnlyList<double>, IReadOnlyList<double>)>
            {
                ["SR_t"] = (stagePsnr.Select((_, t) => (double)(t + 1)).ToList(), stagePsnr),
            }, "PSNR-Y per stage", "stage t", "PSNR-Y (dB)", markers: true));
        string reportPath = Path.Combine(outFolder, "report.html");
        report.Save(reportPath);

        Console.WriteLine($"HR: {source} ({hrImage.Width}×{hrImage.Height}); σ = {sigma.ToString("0.0##", inv)}, ×{scale}");
        foreach (var row in rows) Console.WriteLine($"  {row[0],-58} {row[1],12} {row[2],8}");
        Console.WriteLine($"  per-stage PSNR-Y: {string.Join("  ", stagePsnr.Select((p, t) => $"t{t + 1} {p.ToString("0.00", inv)}"))}");
        Console.WriteLine($"    stages: {StageSupervision.Describe(net.Config)}");
        Console.WriteLine($"  kernel: true σ {sigma.ToString("0.0##", inv)}, estimated spread {KernelImage.Spread(result.Kernel!).ToString("0.00", inv)}, L1 error {kernelL1.ToString("0.000", inv)}");
        Console.WriteLine($"wrote {string.Join(", ", images.Select(i => i.Name + ".png"))} and {reportPath} in {Path.GetFullPath(outFolder)} ({clock.Elapsed.TotalSeconds.ToString("0", inv)} s)");
        if (figuresFolder is not null)
        {
            var (written, notes) = DemoFigures.Write(figuresFolder, new DemoFigures.Run(source, sigma, scale, hr, lr, bicubic.Sr, result.Sr,
                trueKernel, result.Kernel!, bicubicScore.PsnrY, score.PsnrY, kernelL1, KernelImage.Spread(result.Kernel!), label));
            Console.WriteLine($"figures: {string.Join(", ", written.Select(Path.GetFileName))} in {Path.GetFullPath(figuresFolder)}");
            foreach (string note in notes) Console.WriteLine("note: " + note);
        }
        return 0;
    }

    private static string? FindShippedWeights()
    {
        string? repo = DataRoot.FindRepository([Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);
        string? path = repo is null ? null : Path.Combine(repo, ShippedWeights);
        return path is not null && File.Exists(path) ? path : null;
    }

    private static KbSrNet QuickTrain(RgbImage fallback, double seconds, string runFolder, Device device)
    {
        var options = new TrainOptions
        {
            Model = KbSrConfig.Small, Steps = 1_000_000, BatchSize = 8, HrPatch = 64, LearningRate = 5e-4,
            LrSchedule = "constant", ValidateEvery = 0, CheckpointEvery = 1_000_000, LogEvery = 25, TimeLimitSeconds = seconds,
        };
        HrImageCache images;
        try { images = Trainer.LoadImages(["T91"], options, warn: _ => { }); }
        catch (Exception e) when (e is DirectoryNotFoundException or InvalidOperationException or IOException or InvalidDataException)
        {
            images = new HrImageCache();
            images.Add(fallback, "demo image");
        }
        using (images)
        using (var trainer = Trainer.StartNew(options, runFolder, images, device))
        {
            trainer.Log = _ => { };
            trainer.OnStep = r => Console.Write($"\r  step {r.Step}, loss {r.Loss.GetValueOrDefault("totalLessKernelNorm", r.Loss["total"]):0.0000}, {r.Elapsed.TotalSeconds:0} s   ");
            trainer.Run();
            Console.WriteLine();
            var path = Path.Combine(runFolder, "checkpoints", "last.ckpt");
            using var checkpoint = Checkpoint.Read(path);
            var net = checkpoint.CreateNetwork(device);
            net.eval();
            return net;
        }
    }
}
