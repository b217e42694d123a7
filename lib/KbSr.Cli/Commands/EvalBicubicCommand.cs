using System.CommandLine;
using System.Diagnostics;
using KbSr.Evaluation;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr eval-bicubic`: the bicubic-upsampling baseline table (PSNR/SSIM on Y per set × σ).</summary>
internal static class EvalBicubicCommand
{
    public static Command Build()
    {
        var sets = CommonOptions.Sets();
        var sigmas = CommonOptions.Sigmas("0,0.2,1.3,2.6");
        var scale = CommonOptions.Scale();
        var data = CommonOptions.Data();
        var output = new Option<string>("--out") { Description = "Prefix of the .md/.csv files written", DefaultValueFactory = _ => "out/eval-bicubic" };
        var command = new Command("eval-bicubic", "Bicubic baseline: PSNR/SSIM on Y for each test set and σ") { sets, sigmas, scale, data, output };
        command.SetAction(parse =>
        {
            var options = new EvalOptions(CommonOptions.List(parse.GetValue(sets)!),
                CommonOptions.ParseSigmas(parse.GetValue(sigmas)!), parse.GetValue(scale), DataRoot: parse.GetValue(data));
            var clock = Stopwatch.StartNew();
            var results = new Evaluator(options).Run([new BicubicUpsampler()]);
            Console.WriteLine(ResultPrinter.PlainTable(results));
            foreach (string f in results.Write(parse.GetValue(output)!)) Console.WriteLine($"wrote {f}");
            Console.WriteLine($"({results.Images.Count} image evaluations in {clock.Elapsed.TotalSeconds:0.0} s)");
            return 0;
        });
        return command;
    }
}
