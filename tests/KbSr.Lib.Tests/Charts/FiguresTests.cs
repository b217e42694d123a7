using KbSr.Charts;
using StbImageSharp;
using Xunit.Abstractions;

namespace KbSr.Tests.Charts;

/// <summary>Figures written by the headless browser hold the chart: right size, drawn pixels, title text.</summary>
public class FiguresTests
{
    private static Plotly.NET.GenericChart Chart(string title) => CurveCharts.Lines(
        new Dictionary<string, (IReadOnlyList<double>, IReadOnlyList<double>)>
        {
            ["bicubic"] = ([1, 2, 3, 4], [25.7, 26.1, 26.0, 26.3]),
            ["KB-SR"] = ([1, 2, 3, 4], [27.0, 27.9, 28.1, 28.2]),
        }, title, "stage t", "PSNR (dB)");

    private static void RequireBrowser() =>
        Prerequisite.Require(ChromiumRenderer.IsAvailable, "no headless browser: " + ChromiumRenderer.InstallHint);

    [SkippableFact]
    public void SaveFigure_WritesPngSvgAndPdfWithTheChartsContent()
    {
        RequireBrowser();
        string dir = Path.Combine(Path.GetTempPath(), $"kbsr-fig-{Guid.NewGuid():N}");
        try
        {
            var chart = Chart("Per-stage PSNR Zq7");
            Figures.PngScale = 1;
            string png = chart.SaveFigure(Path.Combine(dir, "fig.png"), 640, 400);
            string svg = chart.SaveFigure(Path.Combine(dir, "fig.svg"), 640, 400);
            string pdf = chart.SaveFigure(Path.Combine(dir, "fig.pdf"), 640, 400);

            var image = ImageResult.FromMemory(File.ReadAllBytes(png), ColorComponents.RedGreenBlue);
            Assert.Equal((640, 400), (image.Width, image.Height));
            // Non-blank: a white page with a few lines would have under 1 % coloured pixels; require traces and text.
            int coloured = 0, dark = 0;
            for (int i = 0; i < image.Data.Length; i += 3)
            {
                int r = image.Data[i], g = image.Data[i + 1], b = image.Data[i + 2];
                if (Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) > 60) coloured++;   // the two trace colours
                if (r + g + b < 300) dark++;                                                        // text and axes
            }
            Assert.True(coloured > 300, $"{coloured} coloured pixels: the traces were not drawn");
            Assert.True(dark > 300, $"{dark} dark pixels: no text was drawn");

            string svgText = File.ReadAllText(svg);
            Assert.StartsWith("<svg", svgText);
            Assert.Contains("Per-stage PSNR Zq7", svgText);
            Assert.Contains("width=\"640\"", svgText);
            Assert.Contains("KB-SR", svgText);                    // legend entry

            byte[] pdfBytes = File.ReadAllBytes(pdf);
            Assert.Equal("%PDF-"u8.ToArray(), pdfBytes[..5]);
        }
        finally
        {
            Figures.PngScale = 2;
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [SkippableFact]
    public void SaveAll_WritesEveryFigureByNameInOneRun_AtTheLayoutSize()
    {
        RequireBrowser();
        string dir = Path.Combine(Path.GetTempPath(), $"kbsr-figs-{Guid.NewGuid():N}");
        try
        {
            var sized = Plotly.NET.CSharp.GenericChartExtensions.WithSize(Chart("first"), 720, 360);
            var files = Figures.SaveAll([("cell-3", sized), ("cell-5", Chart("second"))], dir, "svg", "png");
            Assert.Equal(["cell-3.svg", "cell-3.png", "cell-5.svg", "cell-5.png"], files.Select(Path.GetFileName));
            Assert.Contains(">second<", File.ReadAllText(Path.Combine(dir, "cell-5.svg")));
            Assert.DoesNotContain(">second<", File.ReadAllText(Path.Combine(dir, "cell-3.svg")));
            var image = ImageResult.FromMemory(File.ReadAllBytes(Path.Combine(dir, "cell-3.png")), ColorComponents.RedGreenBlue);
            Assert.Equal((720 * 2, 360 * 2), (image.Width, image.Height));   // the layout's size, PngScale 2
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void SaveFigure_WithAnUnknownExtension_NamesThePath()
    {
        var e = Assert.Throws<ArgumentException>(() => Chart("t").SaveFigure("figure.jpg"));
        Assert.Contains("figure.jpg", e.Message);
        Assert.Contains(".svg", e.Message);
    }
}
