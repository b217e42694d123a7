using System.CommandLine;
using System.Diagnostics;
using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Model;
using KbSr.Model.Baselines;
using KbSr.Runtime;
using KbSr.Training;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr eval`: trained networks and the bicubic baseline on the same LR inputs (method.md §6):
/// PSNR/SSIM on Y per set × σ, per-stage PSNR, kernel error; Markdown + CSV tables and per-image CSV. Any network of
/// the registry: non-blind ones are evaluated given the true kernel and, with <c>--kernel-estimator</c>, blind with the
/// kernel IKC's Predictor estimates. With a reference row, a paired bootstrap of its PSNR against every other row.</summary>
internal static class EvalCommand
{
    public static Command Build()
    {
        var weights = new Option<string[]>("--weights") { Description = "Checkpoint(s) of any registered network to evaluate; NAME=PATH sets the table name", Required = true, AllowMultipleArgumentsPerToken = true };
        var estimator = new Option<string?>("--kernel-estimator") { Description = "IKC weights whose Predictor estimates the kernel for a blind row of every non-blind network" };
        var reference = new Option<string?>("--reference") { Description = "Row compared with every other by a paired bootstrap over images (default: the first KB-SR row; 'none' = no comparison)" };
        var resamples = new Option<int>("--bootstrap") { Description = "Bootstrap resamples of the paired comparison", DefaultValueFactory = _ => 10_000 };
        var sets = CommonOptions.Sets();
        var sigmas = CommonOptions.Sigmas("0.2,1.3,2.6");
        var protocol = new Option<string>("--protocol") { Description = "sigmas (the paper's Table 1) or gaussian8 (IKC/DAN's ×4 protocol)", DefaultValueFactory = _ => "sigmas" };
        var data = CommonOptions.Data();
        var lrDir = new Option<string?>("--lr-dir") { Description = "Evaluate on LR files from this folder (layout of `kbsr synth`) instead of synthesising" };
        var saveImages = new Option<string?>("--save-images") { Description = "Write SR images (and estimated kernels) under this folder" };
        var maxImages = new Option<int>("--max-images") { Description = "Only the first N images of each set (0 = all)" };
        var noBicubic = new Option<bool>("--no-bicubic") { Description = "Leave out the bicubic baseline row" };
        var tile = new Option<int>("--tile") { Description = "Tile side in LR pixels for large images (0 = whole images)" };
        var output = new Option<string>("--out") { Description = "Prefix of the .md/.csv files written", DefaultValueFactory = _ => "out/eval" };
        var device = CommonOptions.Device();
        var command = new Command("eval", "Evaluate trained networks against bicubic on Set5/Set14/BSDS100 × σ")
        {
            weights, sets, sigmas, protocol, data, lrDir, saveImages, maxImages, noBicubic, tile, output, device, estimator, reference, resamples,
        };
        command.SetAction(parse =>
        {
            var target = TorchRuntime.SelectDevice(parse.GetValue(device));
            var methods = new List<ISuperResolver>();
            int scale = 0, kernelSize = 0;
            IKernelEstimator? kernelEstimator = null;
            if (parse.GetValue(estimator) is { } estimatorPath)
            {
                var (_, estimatorNet, estimatorPca) = ModelFiles.LoadAny(estimatorPath, target);
                kernelEstimator = estimatorNet is Ikc ikc && estimatorPca is not null
                    ? new IkcKernelEstimator(ikc, estimatorPca)
                    : throw new ArgumentException($"--kernel-estimator {estimatorPath}: expected IKC weights with their kernel PCA; got {estimatorNet.Config.Model}");
            }
            string? firstKbSr = null;
            foreach (string spec in parse.GetValue(weights)!.SelectMany(CommonOptions.List))
            {
                var (name, net, pca) = ModelFiles.LoadAny(spec, target);
                if (scale != 0 && (scale != net.Config.Scale || kernelSize != net.Config.KernelSize))
                    throw new ArgumentException($"{spec}: ×{net.Config.Scale}, k={net.Config.KernelSize} differs from the other networks (×{scale}, k={kernelSize})");
                (scale, kernelSize) = (net.Config.Scale, net.Config.KernelSize);
                int tileSize = parse.GetValue(tile);
                if (net is KbSrNet kbsr)
                {
                    firstKbSr ??= name;
                    methods.Add(tileSize > 0 ? new TiledSuperResolver(kbsr, tileSize, name: name) : new KbSrSuperResolver(kbsr, name));
                }
                else if (tileSize > 0) throw new ArgumentException($"--tile: tiled inference is KB-SR's; {spec} is {net.Config.Model}");
                else methods.AddRange(SuperResolvers.For(net, pca, name, kernelEstimator));
            }
            if (!parse.GetValue(noBicubic)) methods.Insert(0, new BicubicUpsampler());
            string kind = parse.GetValue(protocol)!.ToLowerInvariant();
            if (kind is not ("sigmas" or "gaussian8")) throw new ArgumentException($"--protocol {kind}: expected sigmas or gaussian8");
            var options = new EvalOptions(CommonOptions.List(parse.GetValue(sets)!), CommonOptions.Numbers(parse.GetValue(sigmas)!, "--sigmas"),
                scale, kernelSize, parse.GetValue(data), parse.GetValue(lrDir), Gaussian8: kind == "gaussian8", MaxImages: parse.GetValue(maxImages));
            var clock = Stopwatch.StartNew();
            int done = 0;
            var evaluator = new Evaluator(options, target)
            {
                SaveImagesTo = parse.GetValue(saveImages),
                OnImage = rows => { if (++done % 10 == 0) Console.Error.Write($"\r{done} image × σ evaluated ({clock.Elapsed.TotalSeconds:0} s)"); },
            };
            var results = evaluator.Run(methods);
            Console.Error.WriteLine();
            Console.WriteLine(ResultPrinter.PlainTable(results));
            Console.WriteLine(ResultPrinter.StageTable(results));
            foreach (string f in results.Write(parse.GetValue(output)!)) Console.WriteLine($"wrote {f}");
            string? referenceName = parse.GetValue(reference) ?? firstKbSr;
            if (referenceName is not null && referenceName != "none")
            {
                var paired = PairedBootstrap.Compare(results, referenceName, parse.GetValue(resamples));
                string markdown = PairedBootstrap.ToMarkdown(paired);
                Console.WriteLine(markdown);
                string prefix = parse.GetValue(output)!;
                AtomicFile.WriteAllText(prefix + "-paired.md", markdown);
                AtomicFile.WriteAllText(prefix + "-paired.csv", PairedBootstrap.ToCsv(paired));
                Console.WriteLine($"wrote {prefix}-paired.md, {prefix}-paired.csv");
            }
            Console.WriteLine($"({results.Images.Count} evaluations in {clock.Elapsed.TotalSeconds:0.0} s)");
            return 0;
        });
        return command;
    }
}
