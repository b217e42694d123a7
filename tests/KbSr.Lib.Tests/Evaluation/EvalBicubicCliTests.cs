using System.Diagnostics;
using System.Globalization;
using KbSr.Evaluation;

namespace KbSr.Tests.Evaluation;

public class EvalBicubicCliTests
{
    [Fact]
    public async Task KbsrEvalBicubic_OnATwoImageSet_ExitsZeroAndWritesTheTablesOfTheLibraryEvaluator()
    {
        string root = EvalTestData.MakeRoot("Tiny", EvalTestData.TwoImages());
        try
        {
            string prefix = Path.Combine(root, "t");
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "kbsr.dll"), "eval-bicubic",
                         "--sets", "Tiny", "--sigmas", "0,1.3", "--data", root, "--out", prefix })
                info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = await process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{await stderr}");

            foreach (string suffix in new[] { ".md", ".csv", "-images.csv" })
            {
                Assert.True(File.Exists(prefix + suffix), $"{prefix + suffix} not written\n{stdout}");
                Assert.Contains($"wrote {prefix + suffix}", stdout);
            }
            // the same numbers as the in-process evaluator (itself checked against a hand-written PSNR)
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
