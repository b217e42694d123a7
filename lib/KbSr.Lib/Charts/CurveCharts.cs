using Plotly.NET;
using CsChart = Plotly.NET.CSharp.Chart;

namespace KbSr.Charts;

/// <summary>Line and bar charts: training curves, PSNR per stage, PSNR per σ, result tables as bars.</summary>
public static class CurveCharts
{
    /// <summary>Several named series over a shared kind of x axis.</summary>
    public static GenericChart Lines(IReadOnlyDictionary<string, (IReadOnlyList<double> X, IReadOnlyList<double> Y)> series,
        string title, string xTitle, string yTitle, bool markers = false)
    {
        if (series.Count == 0) throw new ArgumentException("no series to plot");
        var lines = series.Select((s, i) => CsChart.Line<double, double, string>(s.Value.X, s.Value.Y, Name: s.Key, ShowMarkers: markers,
            MarkerColor: SeriesColor(i, series.Count), LineColor: SeriesColor(i, series.Count)));
        return CsChart.Combine(lines).Titled(title).Axes(xTitle, yTitle);
    }

    /// <summary>An empty chart titled <paramref name="message"/>: the first form of a live chart, so that every later
    /// update is a chart too (.NET Interactive formats an update with the MIME type of the first value shown).</summary>
    public static GenericChart Waiting(string message) =>
        CsChart.Line<double, double, string>(Array.Empty<double>(), Array.Empty<double>(), Name: "").Titled(message);

    /// <summary>Grouped bars: one group per category (e.g. "Set5 σ=1.3"), one bar per series (method).</summary>
    public static GenericChart GroupedBars(IReadOnlyList<string> categories, IReadOnlyDictionary<string, IReadOnlyList<double>> series,
        string title, string yTitle)
    {
        if (series.Count == 0) throw new ArgumentException("no series to plot");
        var bars = series.Select((s, i) =>
        {
            if (s.Value.Count != categories.Count)
                throw new ArgumentException($"series '{s.Key}' has {s.Value.Count} values for {categories.Count} categories");
            return CsChart.Column<double, string, string>(s.Value, Keys: new Plotly.NET.CSharp.Optional<IEnumerable<string>>(categories, true), Name: s.Key,
                MarkerColor: SeriesColor(i, series.Count));
        });
        return CsChart.Combine(bars).Titled(title).Axes("", yTitle);
    }

    /// <summary>Past 10 series plotly.js's default palette repeats, and two methods of one table would share a colour
    /// (Table 1 has 15 rows): such charts get this 24-colour qualitative palette instead.</summary>
    public static IReadOnlyList<string> WidePalette { get; } =
    [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363",
        "#843c39", "#aec7e8", "#ffbb78", "#98df8a",
    ];

    /// <summary>The colour of series <paramref name="index"/> of <paramref name="count"/>: plotly.js's own choice up to
    /// 10 series, the wide palette beyond.</summary>
    private static Plotly.NET.CSharp.Optional<Color> SeriesColor(int index, int count) =>
        count <= 10 ? default : new(Color.fromHex(WidePalette[index % WidePalette.Count]), true);

    /// <summary>A histogram of values (e.g. the σ the training sampler draws).</summary>
    public static GenericChart Histogram(IReadOnlyList<double> values, string title, string xTitle, int bins = 30) =>
        CsChart.Histogram<double, double, string>(X: values.ToArray(), NBinsX: bins, Name: xTitle).Titled(title).Axes(xTitle, "count");
}
