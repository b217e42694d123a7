using System.CommandLine;
using System.Diagnostics;
using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Runtime;
using KbSr.Training;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr eval`: trained networks and the bicubic baseline on the same LR inputs (method.md §6):
/// PSNR/SSIM on Y per set × σ, per-stage PSNR, kernel error; Markdown + CSV tables and per-image CSV.</summary>
internal static class EvalCommand
{
    public static Command Build()
    {
        var weights = new Option<string[]>("--weights") { Description = "Checkpoint(s) to evaluate; NAME=PATH sets the table name", Required = true, AllowMultipleArgumentsPerToken = true };
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
            weights, sets, sigmas, protocol, data, lrDir, saveImages, maxImages, noBicubic, tile, output, device,
        };
        command.SetAction(parse =>
        {
            var target = TorchRuntime.SelectDevice(parse.GetValue(device));
            var methods = new List<ISuperResolver>();
            int scale = 0, kernelSize = 0;
            foreach (string spec in parse.GetValue(weights)!.SelectMany(CommonOptions.List))
            {
                var (name, net) = ModelFiles.Load(spec, target);
                if (scale != 0 && (scale != net.Config.Scale || kernelSize != net.Config.KernelSize))
                    throw new ArgumentException($"{spec}: ×{net.Config.Scale}, k={net.Config.KernelSize} differs from the other networks (×{scale}, k={kernelSize})");
                (scale, kernelSize) = (net.Config.Scale, net.Config.KernelSize);
                int tileSize = parse.GetValue(tile);
                methods.Add(tileSize > 0 ? new TiledSuperResolver(net, tileSize, name: name) : new KbSrSuperResolver(net, name));
            }
            if (!parse.GetValue(noBicubic)) methods.Insert(0, new BicubicUpsampler());
            string kind = parse.GetValue(protocol)!.ToLowerInvariant();
            if (kind is not ("sigmas" or "gaussian8")) throw new ArgumentException($"--protocol {kind}: expected sigmas or gaussian8");
            var options = new EvalOptions(CommonOptions.List(parse.GetValue(sets)!), CommonOptions.Numbers(parse.GetValue(sigmas)!, "--sigmas"),
                scale, kernelSize, parse.GetValue(data), parse.GetValue(lrDir), Gaussian8: kind == "gaussian8", MaxImages: parse.GetValue(maxImages));
            var clock = Stopwatch.StartNew();
            int done = 0;
            var progress = new ProgressLine("image × σ evaluated", options.Sets.Sum(set =>
            {
                int n = KbSr.Imaging.ImageFile.ListImages(KbSr.Data.DataRoot.SetFolder(set, options.DataRoot)).Count;
                return options.MaxImages > 0 ? Math.Min(n, options.MaxImages) : n;
            }) * options.EffectiveSigmas.Count);
            var evaluator = new Evaluator(options, target)
            {
                SaveImagesTo = parse.GetValue(saveImages),
                OnImage = rows => progress.Report(++done),
            };
            var results = evaluator.Run(methods);
            progress.Done();
            Console.WriteLine(ResultPrinter.PlainTable(results));
            Console.WriteLine(ResultPrinter.StageTable(results));
            foreach (string f in results.Write(parse.GetValue(output)!)) Console.WriteLine($"wrote {f}");
            Console.WriteLine($"({results.Images.Count} evaluations in {clock.Elapsed.TotalSeconds:0.0} s)");
            return 0;
        });
        return command;
    }
}
