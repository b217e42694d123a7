using Plotly.NET;
using Plotly.NET.CSharp;
using static TorchSharp.torch;
using CsChart = Plotly.NET.CSharp.Chart;

namespace KbSr.Charts;

/// <summary>Blur kernels as heatmaps (notebooks 01, 02, 05; the paper's Fig. 5).</summary>
public static class KernelCharts
{
    /// <summary>One kernel [k,k] as a heatmap, row 0 at the top.</summary>
    public static GenericChart Heatmap(Tensor kernel, string title = "kernel", bool showScale = true)
    {
        var rows = ToRows(kernel);
        var chart = CsChart.Heatmap<double, int, int, string>(
            zData: rows, ReverseYAxis: true, ShowScale: showScale, Name: title);
        return chart.Titled(title);
    }

    /// <summary>Several kernels side by side (e.g. true vs estimated, or K_0..K_T), each with a subtitle.</summary>
    public static GenericChart Gallery(IReadOnlyList<Tensor> kernels, IReadOnlyList<string> titles, int columns = 0, string title = "")
    {
        if (kernels.Count != titles.Count) throw new ArgumentException($"{kernels.Count} kernels but {titles.Count} titles");
        if (kernels.Count == 0) throw new ArgumentException("no kernel to show");
        columns = columns > 0 ? columns : Math.Min(kernels.Count, 5);
        int rowsCount = (kernels.Count + columns - 1) / columns;
        var charts = kernels.Select((k, i) =>
            CsChart.Heatmap<double, int, int, string>(zData: ToRows(k), ReverseYAxis: true, ShowScale: i == 0, Name: titles[i]));
        var grid = CsChart.Grid(charts, rowsCount, columns, SubPlotTitles: titles.ToArray());
        return (title.Length > 0 ? grid.Titled(title) : grid).WithSize(Width: 220 * columns, Height: 220 * rowsCount + 60);
    }

    /// <summary>The horizontal profile through the centre of each kernel (true vs estimated).</summary>
    public static GenericChart CentreProfiles(IReadOnlyList<Tensor> kernels, IReadOnlyList<string> names, string title = "kernel profiles")
    {
        var lines = kernels.Select((k, i) =>
        {
            var rows = ToRows(k);
            int c = rows.Length / 2, r = rows.Length / 2;
            var x = Enumerable.Range(-c, rows.Length).ToArray();
            return CsChart.Line<int, double, string>(x, rows[r], Name: names[i], ShowMarkers: true);
        });
        return CsChart.Combine(lines).Titled(title).Axes("offset (HR pixels)", "weight");
    }

    internal static double[][] ToRows(Tensor kernel)
    {
        using var k = kernel.detach().to(CPU).to_type(ScalarType.Float64).squeeze();
        if (k.dim() != 2) throw new ArgumentException($"kernel must be [k,k], got [{string.Join(",", kernel.shape)}]");
        var flat = k.data<double>().ToArray();
        int n = (int)k.shape[1];
        return Enumerable.Range(0, (int)k.shape[0]).Select(r => flat.AsSpan(r * n, n).ToArray()).ToArray();
    }
}
