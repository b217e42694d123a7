using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using KbSr.Imaging;
using KbSr.Inference;
using KbSr.Runtime;
using static TorchSharp.torch;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr sr`: super-resolves a user's image with a trained network, in tiles (bounded memory), and
/// reports and saves the blur kernel the network estimated.</summary>
internal static class SrCommand
{
    public static Command Build()
    {
        var input = new Argument<string>("input") { Description = "LR image (PNG, JPEG, BMP, TGA)" };
        var weights = new Option<string>("--weights") { Description = "Checkpoint of a trained network", Required = true };
        var output = new Option<string?>("--out") { Description = "Output PNG (default: INPUT_x{s}.png)" };
        var tile = new Option<int>("--tile") { Description = $"Tile side in LR pixels (0 = whole image, else ≥ {ArgumentRules.MinTile})", DefaultValueFactory = _ => 96 };
        var margin = new Option<int>("--margin") { Description = "Context around each tile, LR pixels (at most --tile)", DefaultValueFactory = _ => 16 };
        var device = CommonOptions.Device();
        var command = new Command("sr", "Super-resolve an image with a trained network; save the estimated kernel too") { input, weights, output, tile, margin, device };
        command.SetAction(parse =>
        {
            int tileSize = ArgumentRules.Tile(parse.GetValue(tile));
            int marginSize = ArgumentRules.Margin(parse.GetValue(margin), tileSize);
            string path = parse.GetValue(input)!;
            var image = ImageFile.Read(path);
            var target = TorchRuntime.SelectDevice(parse.GetValue(device));
            var (name, net) = ModelFiles.Load(parse.GetValue(weights)!, target);
            using var _ = net;
            int s = net.Config.Scale;
            string outPath = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!,
                $"{Path.GetFileNameWithoutExtension(path)}_x{s}.png");
            var clock = Stopwatch.StartNew();
            using var scope = NewDisposeScope();
            var lr = image.ToTensor(target).unsqueeze(0);
            Evaluation.ISuperResolver resolver = tileSize > 0 && (image.Width > tileSize || image.Height > tileSize)
                ? new TiledSuperResolver(net, tileSize, marginSize, name)
                : new KbSrSuperResolver(net, name);
            using var result = resolver.SuperResolve(lr, s);
            ImageFile.WritePng(RgbImage.FromTensor(result.Sr[0], image.WasGrey), outPath);
            string kernelPath = Path.ChangeExtension(outPath, null) + "_kernel.png";
            ImageFile.WritePng(KernelImage.ToImage(result.Kernel!), kernelPath);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"{path}: {image.Width}×{image.Height} → {image.Width * s}×{image.Height * s} in {clock.Elapsed.TotalSeconds.ToString("0.0", inv)} s ({resolver.Name})");
            Console.WriteLine($"estimated kernel: {result.Kernel!.shape[0]}×{result.Kernel.shape[1]}, spread σ ≈ {KernelImage.Spread(result.Kernel).ToString("0.00", inv)} HR pixels, peak {result.Kernel.max().item<float>().ToString("0.0000", inv)}");
            Console.WriteLine($"wrote {outPath}");
            Console.WriteLine($"wrote {kernelPath}");
            return 0;
        });
        return command;
    }
}
