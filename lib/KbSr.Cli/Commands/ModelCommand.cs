using System.CommandLine;
using KbSr.Model;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr model summary`: parameters per block, analytic FLOPs per forward and an activation-memory estimate.</summary>
internal static class ModelCommand
{
    public static Command Build()
    {
        var preset = new Option<string>("--preset") { Description = "Paper, Small or Test", DefaultValueFactory = _ => "Paper" };
        var lrSize = new Option<int>("--lr-size") { Description = "side of the square LR input the FLOPs are counted for", DefaultValueFactory = _ => 24 };
        var summary = new Command("summary", "Parameter count per block and in total, FLOPs per forward, activation memory estimate");
        summary.Options.Add(preset);
        summary.Options.Add(lrSize);
        summary.SetAction(parse =>
        {
            var config = KbSrConfig.Preset(parse.GetValue(preset)!);
            int size = parse.GetValue(lrSize);
            Print(parse.GetValue(preset)!, config, size);
            return 0;
        });
        var command = new Command("model", "Inspect the KB-SR network");
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
}
