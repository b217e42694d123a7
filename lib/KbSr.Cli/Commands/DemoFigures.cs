using System.Globalization;
using KbSr.Charts;
using KbSr.Data;
using KbSr.Evaluation;
using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Cli.Commands;

/// <summary>
/// `kbsr demo --figures DIR`: the README's pictures, from the demo run itself — a side-by-side crop (LR enlarged by
/// nearest neighbour, bicubic, KB-SR, HR), the true kernel beside the final estimate on one grey scale, and a small
/// Table-1 chart from the shipped results — plus <c>figures.md</c>, the Markdown (alt texts, captions with the run's
/// PSNR) that the README shows them with.
/// </summary>
internal static class DemoFigures
{
    public const string Crop = "demo-crop.png", Kernels = "demo-kernels.png", Table1Chart = "table1-chart.png", Markdown = "figures.md";

    /// <summary>The shipped results the Table-1 chart reads (docs/results.md, "Table 1 on equal terms").</summary>
    public const string Table1Results = "data/results/table1-fair.csv";

    /// <summary>The Table-1 rows the small chart shows: bicubic, the blind systems, and SFTMD given KB-SR's kernel
    /// estimate and given the true kernel (the upper bound). Every row is in docs/results.md.</summary>
    public static readonly IReadOnlyList<string> Table1Rows =
        ["bicubic", "KB-SR Small 2.5 h", "IKC Small", "DAN Small", "SFTMD Small (kernel by KB-SR K_T)", "SFTMD Small (true kernel)"];

    /// <summary>Everything the demo measured that the figures show.</summary>
    public sealed record Run(string Source, double Sigma, int Scale, Tensor Hr, Tensor Lr, Tensor Bicubic, Tensor Sr,
        Tensor TrueKernel, Tensor FinalKernel, double BicubicPsnr, double SrPsnr, double KernelL1, double EstimatedSpread, string Network);

    /// <summary>Writes the figures into <paramref name="folder"/>; returns the files written and one note per figure that
    /// could not be made (e.g. no browser for the chart).</summary>
    public static (IReadOnlyList<string> Written, IReadOnlyList<string> Notes) Write(string folder, Run run)
    {
        Directory.CreateDirectory(folder);
        var inv = CultureInfo.InvariantCulture;
        var written = new List<string>();
        var notes = new List<string>();

        var (x, y, size) = DetailWindow(run.Hr, run.Scale);
        using (var scope = NewDisposeScope())
        {
            Tensor Window(Tensor image, int s) => Batched(image)[0, .., (y / s)..((y + size) / s), (x / s)..((x + size) / s)];
            var panels = new[] { Window(run.Lr, run.Scale), Window(run.Bicubic, 1), Window(run.Sr, 1), Window(run.Hr, 1) };
            var row = ImageRow.SideBySide(panels, height: 2 * size, gap: 6);   // ×2 so that a web page shows the pixels
            written.Add(Save(row, Path.Combine(folder, Crop)));
        }
        using (var scope = NewDisposeScope())
        {
            // True kernel and final estimate K_T on one grey scale (the larger peak is white), so a flatter or sharper
            // estimate looks it. The intermediate K_t are left out: eq. 3 does not train them (docs/method.md §4).
            var kernels = new[] { run.TrueKernel, run.FinalKernel }.Select(k => k.detach().to(CPU).to_type(ScalarType.Float32).squeeze()).ToList();
            var peak = stack(kernels).max().clamp_min(1e-12);
            int zoom = 8;
            var images = kernels.Select(k => (k / peak).clamp(0, 1).unsqueeze(0)).ToList();
            written.Add(Save(ImageRow.SideBySide(images, height: (int)kernels[0].shape[0] * zoom, gap: 8), Path.Combine(folder, Kernels)));
        }

        string? results = FindResults();
        if (results is null) notes.Add($"{Table1Chart}: {Table1Results} not found (run from the repository)");
        else if (!ChromiumRenderer.IsAvailable) notes.Add($"{Table1Chart}: no headless browser to draw it ({ChromiumRenderer.InstallHint})");
        else written.Add(Table1(results, Path.Combine(folder, Table1Chart)));

        string sigma = run.Sigma.ToString("0.0##", inv);
        string at = folder.Replace('\\', '/').TrimEnd('/');   // the links, as the folder was named (the README: docs/img)
        string md = $"""
            ![Crop of the demo image at ×{run.Scale}, σ = {sigma}: the LR input enlarged by nearest neighbour, bicubic, KB-SR and the HR original, side by side]({at}/{Crop})

            *{run.Source}, ×{run.Scale}, Gaussian blur σ = {sigma}. From left: LR input (enlarged), bicubic ({run.BicubicPsnr.ToString("0.00", inv)} dB),
            {run.Network} ({run.SrPsnr.ToString("0.00", inv)} dB), HR. PSNR on Y over the whole image; the crop is its most detailed
            {size} × {size} window.*

            ![Left, the true Gaussian blur kernel of σ = {sigma}; right, the kernel KB-SR estimated from the LR image alone, on one grey scale]({at}/{Kernels})

            *True kernel (left) and KB-SR's final estimate K_T from the same run (right), on one grey scale (white = the larger
            peak), enlarged 8×. Estimated spread {run.EstimatedSpread.ToString("0.00", inv)} pixels against σ = {sigma}; Σ|K − K_true| = {run.KernelL1.ToString("0.000", inv)}.*

            ![PSNR against blur σ on Set5 for bicubic, KB-SR Small, IKC Small, DAN Small and SFTMD Small (given KB-SR's kernel estimate, and given the true kernel)]({at}/{Table1Chart})

            *Set5, PSNR against σ for six rows of Table 1 as measured here ({Table1Results}); every row, set and interval is in docs/results.md.*

            """;
        string mdPath = Path.Combine(folder, Markdown);
        AtomicFile.WriteAllText(mdPath, md);
        written.Add(Path.GetFullPath(mdPath));
        return (written, notes);
    }

    /// <summary>The most detailed square window of the HR image (largest mean squared gradient of its luma), a multiple
    /// of the scale on every side: chosen from the HR alone, so it favours no method.</summary>
    public static (int X, int Y, int Size) DetailWindow(Tensor hr, int scale)
    {
        using var scope = NewDisposeScope();
        var luma = Batched(hr).mean([1], keepdim: true);   // [1,1,H,W]
        int h = (int)luma.shape[2], w = (int)luma.shape[3];
        int size = Math.Min(128, Math.Min(h, w)) / scale * scale;
        var gy = luma[.., .., 1.., ..] - luma[.., .., ..^1, ..];
        var gx = luma[.., .., .., 1..] - luma[.., .., .., ..^1];
        var energy = gy[.., .., .., ..^1].square() + gx[.., .., ..^1, ..].square();   // [1,1,H-1,W-1]
        int stride = scale * 2;
        var mean = nn.functional.avg_pool2d(energy, [size - 1, size - 1], [stride, stride]);
        long best = mean.flatten().argmax().item<long>();
        long columns = mean.shape[3];
        return ((int)(best % columns) * stride, (int)(best / columns) * stride, size);
    }

    /// <summary>[3,H,W] or [1,3,H,W] as [1,3,H,W].</summary>
    private static Tensor Batched(Tensor image) => image.dim() == 3 ? image.unsqueeze(0) : image;

    private static string Table1(string results, string path)
    {
        var rows = EvalSummaryCsv.Read(results).Where(r => r.Set == "Set5").ToList();
        var series = new Dictionary<string, (IReadOnlyList<double>, IReadOnlyList<double>)>();
        foreach (string method in Table1Rows)
        {
            var mine = rows.Where(r => r.Method == method).ToList();
            if (mine.Count == 0) throw new InvalidDataException($"{results}: no Set5 row for '{method}'");
            series[method] = (mine.Select(r => double.Parse(r.SigmaLabel, CultureInfo.InvariantCulture)).ToList(), mine.Select(r => r.PsnrY).ToList());
        }
        var chart = CurveCharts.Lines(series, "Set5: PSNR against blur σ (measured here, ×4)", "σ (HR pixels)", "PSNR (dB, Y)", markers: true);
        var saved = Figures.PngScale;
        Figures.PngScale = 1;   // a web page's picture, not print: keeps the file small
        try { return chart.SaveFigure(path, 720, 400); }
        finally { Figures.PngScale = saved; }
    }

    private static string? FindResults()
    {
        string? repo = DataRoot.FindRepository([Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);
        string? path = repo is null ? null : Path.Combine(repo, Table1Results);
        return path is not null && File.Exists(path) ? path : null;
    }

    private static string Save(RgbImage image, string path)
    {
        ImageFile.WritePng(image, path);
        return Path.GetFullPath(path);
    }
}
