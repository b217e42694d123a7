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
        var lines = series.Select(s => CsChart.Line<double, double, string>(s.Value.X, s.Value.Y, Name: s.Key, ShowMarkers: markers));
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
        var bars = series.Select(s =>
        {
            if (s.Value.Count != categories.Count)
                throw new ArgumentException($"series '{s.Key}' has {s.Value.Count} values for {categories.Count} categories");
            return CsChart.Column<double, string, string>(s.Value, Keys: new Plotly.NET.CSharp.Optional<IEnumerable<string>>(categories, true), Name: s.Key);
        });
        return CsChart.Combine(bars).Titled(title).Axes("", yTitle);
    }

    /// <summary>A histogram of values (e.g. the σ the training sampler draws).</summary>
    public static GenericChart Histogram(IReadOnlyList<double> values, string title, string xTitle, int bins = 30) =>
        CsChart.Histogram<double, double, string>(X: values.ToArray(), NBinsX: bins, Name: xTitle).Titled(title).Axes(xTitle, "count");
}
