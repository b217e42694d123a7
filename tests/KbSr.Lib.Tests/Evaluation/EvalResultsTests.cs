using System.Globalization;
using KbSr.Evaluation;

namespace KbSr.Tests.Evaluation;

public class EvalResultsTests
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // Two methods × two sets × two σ × two images, with PSNRs chosen so each mean is easy to check by eye.
    private static EvalResults Sample(bool gaussian8 = false)
    {
        var rows = new List<ImageScore>();
        foreach (var (method, offset) in new[] { ("bicubic", 0.0), ("KB-SR, small", 2.0) })
            foreach (var (set, setOffset) in new[] { ("SetA", 0.0), ("SetB", 10.0) })
                foreach (double sigma in new[] { 0.2, 1.3 })
                {
                    double basePsnr = 20 + offset + setOffset + sigma;
                    rows.Add(new ImageScore(method, set, sigma, "x", basePsnr - 1, 0.5, KernelL1: method == "bicubic" ? null : 0.25));
                    rows.Add(new ImageScore(method, set, sigma, "y", basePsnr + 1, 0.7, KernelL1: method == "bicubic" ? null : 0.75));
                }
        return new EvalResults(rows, gaussian8);
    }

    [Fact]
    public void Summary_AveragesPerMethodSetAndSigma()
    {
        var summary = Sample().Summary();
        Assert.Equal(8, summary.Count);
        var row = summary.Single(r => r.Method == "KB-SR, small" && r.Set == "SetB" && r.SigmaLabel == "1.3");
        Assert.Equal(2, row.Images);
        Assert.Equal(33.3, row.PsnrY, 12);
        Assert.Equal(0.6, row.SsimY, 12);
        Assert.Equal(0.5, row.KernelL1!.Value, 12);
        Assert.Null(summary.Single(r => r.Method == "bicubic" && r.Set == "SetA" && r.SigmaLabel == "0.2").KernelL1);
    }

    [Fact]
    public void EvalSummaryCsv_ReadsBackTheSummaryItWrote_QuotedMethodNamesIncluded()
    {
        var results = Sample();
        string path = Path.Combine(Directory.CreateTempSubdirectory("kbsr-summary-").FullName, "t.csv");
        File.WriteAllText(path, results.SummaryCsv());
        var back = EvalSummaryCsv.Read(path);
        var row = back.Single(r => r.Method == "KB-SR, small" && r.Set == "SetB" && r.SigmaLabel == "1.3");
        var written = results.Summary().Single(r => r.Method == row.Method && r.Set == row.Set && r.SigmaLabel == row.SigmaLabel);
        Assert.Equal(2, row.Images);
        Assert.Equal(33.3, row.PsnrY, 12);
        // Written "R": the very doubles come back.
        Assert.Equal((written.PsnrY, written.SsimY, written.KernelL1), (row.PsnrY, row.SsimY, row.KernelL1));
        Assert.Equal(results.Summary().Select(r => (r.Method, r.Set, r.SigmaLabel, r.PsnrY)), back.Select(r => (r.Method, r.Set, r.SigmaLabel, r.PsnrY)));
        File.WriteAllText(path, "method,set\nx,y\n");
        Assert.Contains("not an evaluation summary", Assert.Throws<InvalidDataException>(() => EvalSummaryCsv.Read(path)).Message);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void ToMarkdown_HasOneRowPerMethodAndSetSlashSetCells()
    {
        string md = Sample().ToMarkdown();
        var lines = md.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains("PSNR (dB) on Y — cells: SetA / SetB", lines);
        Assert.Contains("SSIM on Y — cells: SetA / SetB", lines);
        Assert.Equal(3, lines.Count(l => l == "| method | σ=0.2 | σ=1.3 |"));   // PSNR, SSIM, kernel L1
        // PSNR table: bicubic SetA σ=0.2 → 20.2, SetB → 30.2; σ=1.3 → 21.3 / 31.3
        Assert.Equal(1, lines.Count(l => l == "| bicubic | 20.20 / 30.20 | 21.30 / 31.30 |"));
        Assert.Equal(1, lines.Count(l => l == "| KB-SR, small | 22.20 / 32.20 | 23.30 / 33.30 |"));
        Assert.Contains("| bicubic | 0.6000 / 0.6000 | 0.6000 / 0.6000 |", lines);
        Assert.Contains("| bicubic | – / – | – / – |", lines);                      // no kernel for bicubic
        Assert.Contains("| KB-SR, small | 0.500 / 0.500 | 0.500 / 0.500 |", lines);
        Assert.Equal(6, lines.Count(l => l.StartsWith("| bicubic |") || l.StartsWith("| KB-SR, small |")));
    }

    [Fact]
    public void ToMarkdown_WithoutKernelScores_HasNoKernelTable()
    {
        var results = new EvalResults([new ImageScore("bicubic", "SetA", 0, "x", 30, 0.9)], gaussian8: false);
        string md = results.ToMarkdown();
        Assert.DoesNotContain("Kernel", md);
        Assert.Contains("| method | σ=0.0 |", md);
        Assert.Contains("| bicubic | 30.00 |", md);
    }

    [Fact]
    public void SummaryCsv_ParsesBackToTheSummaryValues()
    {
        var results = Sample();
        var lines = results.SummaryCsv().TrimEnd('\n').Split('\n');
        Assert.Equal("method,set,sigma,images,psnr_y,ssim_y,kernel_l1,kernel_mse,stage_psnr_y", lines[0]);
        Assert.Equal(9, lines.Length);
        var parsed = lines.Skip(1).Select(ParseCsvLine).ToList();
        Assert.All(parsed, cells => Assert.Equal(9, cells.Count));
        var summary = results.Summary();
        for (int i = 0; i < summary.Count; i++)
        {
            var cells = parsed[i];
            Assert.Equal(summary[i].Method, cells[0]);                 // "KB-SR, small" was quoted and comes back whole
            Assert.Equal(summary[i].Set, cells[1]);
            Assert.Equal(summary[i].SigmaLabel, cells[2]);
            Assert.Equal(2, int.Parse(cells[3], Inv));
            Assert.Equal(summary[i].PsnrY, double.Parse(cells[4], Inv));   // "R": exact round trip
            Assert.Equal(summary[i].SsimY, double.Parse(cells[5], Inv));
            Assert.Equal(summary[i].KernelL1, cells[6] == "" ? null : double.Parse(cells[6], Inv));
        }
    }

    [Fact]
    public void ImagesCsv_HasOneLinePerImageScore()
    {
        var results = new EvalResults([new ImageScore("m", "S", 2.6, "baby", 31.25, 0.875, 0.5, 0.001, [29.5, 31.25], 2.25),
                                       new ImageScore("bicubic", "S", 2.6, "baby", 28, 0.8)], false);
        var lines = results.ImagesCsv().TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("m,S,2.6,baby,31.25,0.875,0.5,0.001,29.5;31.25,2.25,", lines[1]);   // no stage kernels: the last field is empty
        Assert.Equal("bicubic,S,2.6,baby,28,0.8,,,,,", lines[2]);
    }

    [Fact]
    public void Summary_WithGaussian8_HasOneG8ColumnPerSetCountingImagesOnce()
    {
        var rows = EvalOptions.Gaussian8Sigmas.SelectMany(s => new[]
        {
            new ImageScore("bicubic", "SetA", s, "x", 20 + s, 0.5),
            new ImageScore("bicubic", "SetA", s, "y", 22 + s, 0.7),
        }).ToList();
        var row = Assert.Single(new EvalResults(rows, gaussian8: true).Summary());
        Assert.Equal("g8", row.SigmaLabel);
        Assert.Equal(2, row.Images);
        Assert.Equal(21 + 2.5, row.PsnrY, 12);    // mean σ of {1.8 … 3.2} is 2.5
    }

    [Fact]
    public void Write_CreatesTheFolderAndLeavesNoTempFiles()
    {
        string root = Directory.CreateTempSubdirectory("kbsr-eval-").FullName;
        try
        {
            var files = Sample().Write(Path.Combine(root, "deep", "er", "table"));
            Assert.Equal(3, files.Count);
            Assert.Equal(3, Directory.GetFiles(Path.Combine(root, "deep", "er")).Length);
            Assert.Equal(Sample().ToMarkdown(), File.ReadAllText(files[0]));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void SigmaLabel_HasOneToThreeDecimals()
    {
        Assert.Equal("0.0", EvalResults.SigmaLabel(0));
        Assert.Equal("2.6", EvalResults.SigmaLabel(2.6));
        Assert.Equal("0.125", EvalResults.SigmaLabel(0.125));
        Assert.Equal("1.333", EvalResults.SigmaLabel(4.0 / 3));
    }

    /// <summary>RFC 4180 fields: quoted fields may hold commas and doubled quotes.</summary>
    private static List<string> ParseCsvLine(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }
}
