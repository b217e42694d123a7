using System.Globalization;
using System.Text;

namespace KbSr.Evaluation;

/// <summary>One <see cref="ImageScore"/> per CSV line (the <c>-images.csv</c> layout), and back: the evaluation
/// journal (<see cref="EvalJournal"/>) stores its rows this way, at full precision, so a resumed run reads back the very
/// doubles it wrote.</summary>
public static class ImageScoreCsv
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public const string Header = "method,set,sigma,image,psnr_y,ssim_y,kernel_l1,kernel_mse,stage_psnr_y,kernel_spread,stage_kernel_l1";

    /// <summary>The header of files written before <c>stage_kernel_l1</c>: still read.</summary>
    public const string HeaderWithoutStageKernels = "method,set,sigma,image,psnr_y,ssim_y,kernel_l1,kernel_mse,stage_psnr_y,kernel_spread";

    /// <summary>The header of files written before <c>kernel_spread</c> (the shipped result tables): still read.</summary>
    public const string HeaderWithoutSpread = "method,set,sigma,image,psnr_y,ssim_y,kernel_l1,kernel_mse,stage_psnr_y";

    /// <summary>One line (no newline). σ keeps its round-trip form when <paramref name="exact"/> (the journal), else
    /// the table label; per-stage PSNRs are written to 4 decimals unless <paramref name="exact"/>.</summary>
    public static string Format(ImageScore r, bool exact = false) => string.Join(",",
        Quote(r.Method), Quote(r.Set), exact ? r.Sigma.ToString("R", Inv) : EvalResults.SigmaLabel(r.Sigma), Quote(r.Image),
        r.PsnrY.ToString("R", Inv), r.SsimY.ToString("R", Inv), Optional(r.KernelL1), Optional(r.KernelMse),
        r.StagePsnrY is null ? "" : string.Join(";", r.StagePsnrY.Select(v => v.ToString(exact ? "R" : "0.####", Inv))),
        Optional(r.KernelSpread),
        r.StageKernelL1 is null ? "" : string.Join(";", r.StageKernelL1.Select(v => v.ToString(exact ? "R" : "0.#####", Inv))));

    /// <summary>Reads a line written by <see cref="Format"/>; throws a <see cref="FormatException"/> saying what is wrong.</summary>
    public static ImageScore Parse(string line)
    {
        var f = Fields(line);
        if (f.Count is not (9 or 10 or 11)) throw new FormatException($"expected 11 comma-separated fields ({Header}; 9 or 10 in older files); got {f.Count}");
        return new ImageScore(f[0], f[1], Number(f[2], "sigma"), f[3], Psnr(f[4], "psnr_y"), Number(f[5], "ssim_y"),
            OptionalNumber(f[6], "kernel_l1"), OptionalNumber(f[7], "kernel_mse"), Stages(f[8]),
            f.Count >= 10 ? OptionalNumber(f[9], "kernel_spread") : null,
            f.Count == 11 && f[10].Length > 0 ? f[10].Split(';').Select(v => Number(v, "stage_kernel_l1")).ToList() : null);
    }

    public static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    private static string Optional(double? v) => v?.ToString("R", Inv) ?? "";

    /// <summary>An empty field is a missing value.</summary>
    internal static double? OptionalNumber(string s, string field) => s.Length == 0 ? null : Number(s, field);

    /// <summary>Per-stage PSNRs, ';'-separated; empty = none.</summary>
    internal static IReadOnlyList<double>? Stages(string s) => s.Length == 0 ? null : s.Split(';').Select(v => Psnr(v, "stage_psnr_y")).ToList();

    /// <summary>A finite number (NaN and ±∞ are refused: a table or a paired comparison cannot use them).</summary>
    internal static double Number(string s, string field)
    {
        double v = Parse(s, field);
        return double.IsFinite(v) ? v : throw new FormatException($"{field} '{s}' is not a finite number");
    }

    /// <summary>A PSNR: finite, or +∞ for an SR image identical to the HR one (MSE 0); NaN and −∞ are refused.</summary>
    internal static double Psnr(string s, string field)
    {
        double v = Parse(s, field);
        return double.IsFinite(v) || double.IsPositiveInfinity(v) ? v : throw new FormatException($"{field} '{s}' is not a PSNR (a finite number or +∞)");
    }

    private static double Parse(string s, string field) =>
        double.TryParse(s, NumberStyles.Float, Inv, out double v) ? v : throw new FormatException($"{field} '{s}' is not a number");

    /// <summary>The fields of one CSV line (RFC 4180: quoted ones may hold commas and doubled quotes).</summary>
    internal static List<string> Fields(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) throw new FormatException("unterminated quoted field");
        fields.Add(field.ToString());
        return fields;
    }
}
