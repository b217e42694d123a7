using KbSr.Tests.Cli;
using System.Globalization;
using KbSr.Evaluation;

namespace KbSr.Tests.Evaluation;

public class EvalBicubicCliTests
{
    [Fact]
    public async Task KbsrEvalBicubic_OnATwoImageSet_ExitsZeroAndWritesTheTablesOfTheLibraryEvaluator()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.GoldenImages());
        try
        {
            string prefix = Path.Combine(root, "t");
            var (code, stdout, stderr) = await CliProcess.RunAsync(["eval-bicubic", "--sets", "Tiny", "--sigmas", "0,1.3", "--data", root, "--out", prefix], 300);
            Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");

            foreach (string suffix in new[] { ".md", ".csv", "-images.csv" })
            {
                Assert.True(File.Exists(prefix + suffix), $"{prefix + suffix} not written\n{stdout}");
                Assert.Contains($"wrote {prefix + suffix}", stdout);
            }
            // the numbers of the independent reference (Golden/bicubic_reference.py), and exactly the in-process evaluator's
            var golden = EvalTestData.Reference.Images;
            foreach (var row in EvaluatorTests.ReadCsv(prefix + "-images.csv"))
            {
                var reference = golden.Single(i => i.Name == row["image"]).Sigmas.Single(g => EvalResults.SigmaLabel(g.Sigma) == row["sigma"]);
                Assert.Equal(reference.PsnrY, double.Parse(row["psnr_y"], CultureInfo.InvariantCulture), 1e-3);
            }
            var expected = new Evaluator(new EvalOptions(["Tiny"], [0, 1.3], DataRoot: root)).Run([new BicubicUpsampler()]);
            var rows = EvaluatorTests.ReadCsv(prefix + ".csv");
            Assert.Equal(new[] { "0.0", "1.3" }, rows.Select(r => r["sigma"]));
            foreach (var (row, summary) in rows.Zip(expected.Summary()))
                Assert.Equal(summary.PsnrY, double.Parse(row["psnr_y"], CultureInfo.InvariantCulture));
            Assert.Equal(expected.ToMarkdown(), File.ReadAllText(prefix + ".md"));
            Assert.Equal(5, File.ReadAllLines(prefix + "-images.csv").Length);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
