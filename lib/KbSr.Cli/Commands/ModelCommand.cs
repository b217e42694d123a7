using System.CommandLine;
using KbSr.Model;
using KbSr.Model.Baselines;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr model summary`: parameters per block, analytic FLOPs per forward and an activation-memory estimate.</summary>
internal static class ModelCommand
{
    public static Command Build()
    {
        var preset = new Option<string>("--preset") { Description = "KB-SR's Paper, Small or Test, or MODEL-paper / MODEL-small / MODEL-test (srcnn-cab, srmd-nf, srresnet-concat, sftmd, ikc)", DefaultValueFactory = _ => "Paper" };
        var lrSize = new Option<int>("--lr-size") { Description = "side of the square LR input the FLOPs are counted for", DefaultValueFactory = _ => 24 };
        var summary = new Command("summary", "Parameter count per block and in total, FLOPs per forward, activation memory estimate");
        summary.Options.Add(preset);
        summary.Options.Add(lrSize);
        summary.SetAction(parse =>
        {
            var config = ModelRegistry.Preset(parse.GetValue(preset)!);
            int size = parse.GetValue(lrSize);
            if (size < 1 || size > 1024) throw new ArgumentException($"--lr-size {size}: expected 1 … 1024 LR pixels");
            if (config.Baseline is null) Print(parse.GetValue(preset)!, config, size);
            else PrintBaseline(parse.GetValue(preset)!, config, size);
            return 0;
        });
        var command = new Command("model", "Inspect the networks of the registry (KB-SR and the Table-1 baselines)");
        command.Subcommands.Add(summary);
        return command;
    }

    private static void Print(string name, KbSrConfig config, int size)
    {
        using var network = ModelRegistry.Create(config);
        var parameters = ModelComplexity.ParametersPerBlock(network);
        var costs = ModelComplexity.Estimate(config, size, size);
        Console.WriteLine($"preset {name} (config {config.Hash()}): T = {config.Stages}, C = {config.Channels}, n0 = {config.InitialChannels}, " +
                          $"×{config.Scale}, k = {config.KernelSize}; LR {size}×{size} → SR {size * config.Scale}×{size * config.Scale}");
        Console.WriteLine();
        Console.WriteLine($"{"block",-20} {"parameters",12} {"GFLOP/forward",14} {"act. MiB",9}");
        foreach (var (block, count) in parameters)
        {
            var mine = costs.Where(c => c.Block == block).ToList();
            Console.WriteLine($"{block,-20} {count,12:N0} {mine.Sum(c => c.Flops) / 1e9,14:F3} {mine.Sum(c => c.ActivationElements) * 4 / (1 << 20),9:F2}");
        }
        Console.WriteLine($"{"total",-20} {parameters.Sum(p => p.Parameters),12:N0} {costs.Sum(c => c.Flops) / 1e9,14:F3} {costs.Sum(c => c.ActivationElements) * 4 / (1 << 20),9:F2}");
        Console.WriteLine();
        Console.WriteLine("per part, summed over stages:");
        foreach (var group in costs.Where(c => c.Block.StartsWith("stages.", StringComparison.Ordinal)).GroupBy(c => c.Part))
            Console.WriteLine($"  {group.Key,-18} {group.Sum(c => c.Flops) / 1e9,14:F3} GFLOP {group.Sum(c => c.ActivationElements) * 4 / (1 << 20),9:F2} MiB");
        Console.WriteLine();
        Console.WriteLine("FLOPs: 2 per multiply-add of every conv, deconv, blur and bicubic matmul, one LR image. Activation memory: float32");
        Console.WriteLine("outputs of every conv/deconv and its activation that backward keeps, per LR image (an estimate; multiply by the batch).");
    }

    /// <summary>A Table-1 network: parameters per top-level part and FLOPs counted on a real forward pass.</summary>
    private static void PrintBaseline(string name, KbSrConfig config, int size)
    {
        using var network = ModelRegistry.Build(config);
        var entry = ModelRegistry.Entry(config.Model);
        var b = config.Baseline!;
        Console.WriteLine($"preset {name}: {entry.Title}, {(entry.Blind ? "blind" : "non-blind (given the kernel code)")}; config {config.Hash()}");
        Console.WriteLine($"channels {b.Channels}, blocks {b.Blocks}, hidden {b.Hidden}, estimator width {b.EstimatorWidth}, " +
                          (b.EstimatorBlocks > 0 ? $"estimator blocks {b.EstimatorBlocks}, " : "") + $"iterations {b.Iterations}, " +
                          $"kernel code t = {config.Loss.PcaDims} (PCA of {config.KernelSize}×{config.KernelSize} kernels), ×{config.Scale}");
        Console.WriteLine();
        Console.WriteLine($"{"part",-20} {"parameters",12}");
        foreach (var (part, p) in network.Module().named_parameters().GroupBy(np => np.name.Split('.')[0]).Select(g => (g.Key, g.Sum(np => np.parameter.numel()))))
            Console.WriteLine($"{part,-20} {p,12:N0}");
        Console.WriteLine($"{"total",-20} {network.ParameterCount(),12:N0}");
        double perPixel = ModelCost.FlopsPerLrPixel(network, size);
        Console.WriteLine();
        Console.WriteLine($"FLOPs per LR pixel: {perPixel / 1e6:F3} M; per forward of one {size}×{size} LR image: {perPixel * size * size / 1e9:F3} G");
        Console.WriteLine("(2 per multiply-add of every conv and linear layer in one forward pass, counted while it runs" +
                          config.Model.ToLowerInvariant() switch
                          {
                              Ikc.Name => $"; IKC: Predictor + {b.Iterations} × SFTMD + {b.Iterations - 1} × Corrector)",
                              Dan.Name => $"; DAN: {b.Iterations} × (Restorer + Estimator))",
                              _ => ")",
                          });
    }
}
