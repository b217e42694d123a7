namespace KbSr.Evaluation;

/// <summary>Reads the summary table an evaluation wrote (<c>{prefix}.csv</c>, <see cref="EvalResults.SummaryCsv"/>):
/// for charts and reports made from a finished run, such as the shipped <c>data/results/table1-measured.csv</c>.</summary>
public static class EvalSummaryCsv
{
    public const string Header = "method,set,sigma,images,psnr_y,ssim_y,kernel_l1,kernel_mse,stage_psnr_y";

    /// <summary>The rows of <paramref name="path"/>; throws an <see cref="InvalidDataException"/> naming the file and line
    /// when it is not such a table.</summary>
    public static IReadOnlyList<SummaryRow> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Header)
            throw new InvalidDataException($"{path}: not an evaluation summary (expected the header \"{Header}\")");
        var rows = new List<SummaryRow>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                var f = ImageScoreCsv.Fields(lines[i]);
                if (f.Count != 9) throw new FormatException($"expected 9 fields; got {f.Count}");
                rows.Add(new SummaryRow(f[0], f[1], f[2], (int)ImageScoreCsv.Number(f[3], "images"),
                    ImageScoreCsv.Number(f[4], "psnr_y"), ImageScoreCsv.Number(f[5], "ssim_y"),
                    ImageScoreCsv.OptionalNumber(f[6], "kernel_l1"), ImageScoreCsv.OptionalNumber(f[7], "kernel_mse"),
                    ImageScoreCsv.Stages(f[8])));
            }
            catch (FormatException e) { throw new InvalidDataException($"{path}, line {i + 1}: {e.Message}", e); }
        }
        return rows;
    }
}
