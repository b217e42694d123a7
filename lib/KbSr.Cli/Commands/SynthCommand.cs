using System.CommandLine;
using KbSr.Data;
using KbSr.Evaluation;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr synth`: writes the deterministic LR test images (docs/method.md §6) as PNG files, so any
/// other tool can be evaluated on exactly the inputs `kbsr eval` uses.</summary>
internal static class SynthCommand
{
    public static Command Build()
    {
        var sets = CommonOptions.Sets();
        var sigmas = CommonOptions.Sigmas("0.2,1.3,2.6");
        var scale = CommonOptions.Scale();
        var data = CommonOptions.Data();
        var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => "out/lr" };
        var command = new Command("synth", "Write degraded LR test sets (blur σ + MATLAB bicubic ↓s, 8-bit) as PNG") { sets, sigmas, scale, data, output };
        command.SetAction(parse =>
        {
            string root = parse.GetValue(output)!;
            foreach (string set in CommonOptions.List(parse.GetValue(sets)!))
            foreach (double sigma in CommonOptions.ParseSigmas(parse.GetValue(sigmas)!))
            {
                string folder = TestSetSynthesis.WriteSet(DataRoot.SetFolder(set, parse.GetValue(data)), root, set,
                    parse.GetValue(scale), sigma);
                Console.WriteLine($"{set} σ={EvalResults.SigmaLabel(sigma)} → {folder} ({Directory.GetFiles(folder, "*.png").Length} images)");
            }
            return 0;
        });
        return command;
    }
}
