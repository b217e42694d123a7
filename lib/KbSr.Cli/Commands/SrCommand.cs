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
        var tile = new Option<int>("--tile") { Description = $"Tile side in LR pixels (0 = the largest that fits --memory-mb, else ≥ {ArgumentRules.MinTile})", DefaultValueFactory = _ => 0 };
        var margin = new Option<int>("--margin") { Description = "Context around each tile, LR pixels (12 makes Small×4 tiles seamless to 0.001/255)", DefaultValueFactory = _ => 12 };
        var memory = new Option<int>("--memory-mb") { Description = "Memory for the network's activations when --tile is 0, MiB", DefaultValueFactory = _ => 6144 };
        var device = CommonOptions.Device();
        var command = new Command("sr", "Super-resolve an image with a trained network; save the estimated kernel too") { input, weights, output, tile, margin, memory, device };
        command.SetAction(parse =>
        {
            int tileSize = ArgumentRules.Tile(parse.GetValue(tile));
            int marginSize = ArgumentRules.Margin(parse.GetValue(margin), tileSize);
            int memoryMb = parse.GetValue(memory) is var mb and >= 64 ? mb
                : throw new ArgumentException($"--memory-mb {parse.GetValue(memory)}: expected at least 64 MiB");
            string path = parse.GetValue(input)!;
            if (parse.GetValue(output) is { } named && !ArgumentRules.OutputPath(named, "--out").EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--out {named}: kbsr sr writes PNG images; give a name ending in .png");
            var clock = Stopwatch.StartNew();
            var image = ImageFile.Read(path);
            double decodeSeconds = clock.Elapsed.TotalSeconds;
            var target = TorchRuntime.SelectDevice(parse.GetValue(device));
            var (name, net) = ModelFiles.Load(parse.GetValue(weights)!, target);
            using var _ = net;
            int s = net.Config.Scale;
            string outPath = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!,
                $"{Path.GetFileNameWithoutExtension(path)}_x{s}.png");
            double loadSeconds = clock.Elapsed.TotalSeconds - decodeSeconds;
            using var scope = NewDisposeScope();
            var lr = image.ToTensor(target).unsqueeze(0);
            if (tileSize <= 0) tileSize = TiledSuperResolver.AutoTile(net.Config, memoryMb * 1024.0 * 1024.0, marginSize, image.Height, image.Width);
            int tiles = new TiledSuperResolver(net, tileSize, marginSize).Tiles(image.Height, image.Width).Count();
            var progress = new ProgressLine("network passes", tiles == 1 ? 1 : 2 * tiles);   // kernel pass + SR pass per tile
            var resolver = new TiledSuperResolver(net, tileSize, marginSize, name) { OnProgress = (done, _) => progress.Report(done) };
            double srStart = clock.Elapsed.TotalSeconds;
            using var result = resolver.SuperResolve(lr, s);
            progress.Done();
            double srSeconds = clock.Elapsed.TotalSeconds - srStart;
            ImageFile.WritePng(RgbImage.FromTensor(result.Sr[0], image.WasGrey), outPath);
            string kernelPath = Path.ChangeExtension(outPath, null) + "_kernel.png";
            ImageFile.WritePng(KernelImage.ToImage(result.Kernel!), kernelPath);
            double encodeSeconds = clock.Elapsed.TotalSeconds - srStart - srSeconds;
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"{path}: {image.Width}×{image.Height} → {image.Width * s}×{image.Height * s} in {clock.Elapsed.TotalSeconds.ToString("0.0", inv)} s ({resolver.Name}; " +
                              $"{(tiles == 1 ? "one pass over the whole image" : $"{tiles} tiles of ≤ {tileSize}² LR + {marginSize} margin, kernel pass + SR pass")})");
            Console.WriteLine($"time: decode {decodeSeconds.ToString("0.00", inv)} s, load weights {loadSeconds.ToString("0.00", inv)} s, network {srSeconds.ToString("0.00", inv)} s, " +
                              $"encode {encodeSeconds.ToString("0.00", inv)} s");
            Console.WriteLine($"estimated kernel: {result.Kernel!.shape[0]}×{result.Kernel.shape[1]}, spread σ ≈ {KernelImage.Spread(result.Kernel).ToString("0.00", inv)} HR pixels, peak {result.Kernel.max().item<float>().ToString("0.0000", inv)}");
            Console.WriteLine($"wrote {outPath}");
            Console.WriteLine($"wrote {kernelPath}");
            return 0;
        });
        return command;
    }
}
