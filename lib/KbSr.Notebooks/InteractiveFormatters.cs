using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using KbSr.Charts;
using KbSr.Evaluation;
using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Notebooks;

/// <summary>
/// Formatters registered with .NET Interactive's <c>Microsoft.DotNet.Interactive.Formatting.Formatter</c> (found
/// at run time, so nothing here depends on a .NET Interactive version): charts, images, tensors shaped as images,
/// and the paper-table rows, shown as the project's own kernel shows them.
/// </summary>
public static class InteractiveFormatters
{
    private static readonly Lock Gate = new();
    private static bool _plotlyJsSent;
    private static DateTime _lastStaticImage = DateTime.MinValue;

    /// <summary>Charts formatted sooner than this after the previous static image (a live chart updated every
    /// step) skip theirs; the interactive chart is unaffected.</summary>
    public static TimeSpan StaticImageInterval { get; set; } = TimeSpan.FromSeconds(10);

    internal static void Register()
    {
        var formatter = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "Microsoft.DotNet.Interactive.Formatting")
            ?.GetType("Microsoft.DotNet.Interactive.Formatting.Formatter")
            ?? throw new InvalidOperationException(".NET Interactive's Formatter type was not found");
        var register = formatter.GetMethod("Register", [typeof(Type), typeof(Action<object, TextWriter>), typeof(string)])
            ?? throw new MissingMethodException("Formatter.Register(Type, Action<object, TextWriter>, string) not found in this .NET Interactive");
        var preferred = formatter.GetMethod("SetPreferredMimeTypesFor", [typeof(Type), typeof(string[])]);
        void Add(Type type, string mime, Action<object, TextWriter> write)
        {
            register.Invoke(null, [type, write, mime]);
            preferred?.Invoke(null, [type, new[] { mime }]);
        }
        Add(typeof(Plotly.NET.GenericChart), "text/html", (o, w) => w.Write(ChartHtml((Plotly.NET.GenericChart)o)));
        Add(typeof(RgbImage), "text/html", (o, w) => w.Write(ImageHtml(ImageFile.EncodePng((RgbImage)o), $"{((RgbImage)o).Width}×{((RgbImage)o).Height}")));
        Add(typeof(Tensor), "text/html", (o, w) => w.Write(TensorHtml((Tensor)o)));
        Add(typeof(IEnumerable<PaperTableRow>), "text/html", (o, w) => w.Write(TableHtml((IEnumerable<PaperTableRow>)o)));
        Add(typeof(List<PaperTableRow>), "text/html", (o, w) => w.Write(TableHtml((IEnumerable<PaperTableRow>)o)));
    }

    /// <summary>
    /// Shows plotly.js as an output of the running cell (KernelInvocationContext.Current.DisplayAs(html, "text/html"),
    /// found at run time), so that it is stored once in the notebook and charts drawn later find it. Without a
    /// running cell the next chart carries it instead.
    /// </summary>
    public static void ShowPlotlyJs()
    {
        var interactive = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "Microsoft.DotNet.Interactive");
        var context = interactive?.GetType("Microsoft.DotNet.Interactive.KernelInvocationContext")?.GetProperty("Current")?.GetValue(null);
        var displayAs = interactive?.GetType("Microsoft.DotNet.Interactive.KernelInvocationContextExtensions")
            ?.GetMethod("DisplayAs", [context?.GetType() ?? typeof(object), typeof(string), typeof(string)]);
        if (context is null || displayAs is null) return;
        displayAs.Invoke(null, [context, PlotlyJs.InlineScript(), "text/html"]);
        lock (Gate) _plotlyJsSent = true;
    }

    /// <summary>The chart's offline HTML (carrying plotly.js too when <see cref="ShowPlotlyJs"/> could not show it).</summary>
    public static string ChartHtml(Plotly.NET.GenericChart chart)
    {
        string json = chart.ToFigureJson();
        bool first, renderImage;
        lock (Gate)
        {
            first = !_plotlyJsSent;
            _plotlyJsSent = true;
            renderImage = DateTime.UtcNow - _lastStaticImage >= StaticImageInterval;
        }
        string? png = null;
        if (renderImage)
        {
            (png, _) = ChartOutput.StaticPng(json);
            lock (Gate) _lastStaticImage = DateTime.UtcNow;
        }
        return (first ? PlotlyJs.InlineScript() + "\n" : "") + ChartOutput.Html(json, png);
    }

    private static string ImageHtml(byte[] png, string alt) =>
        $"<img alt=\"{WebUtility.HtmlEncode(alt)}\" style=\"image-rendering:pixelated\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">";

    /// <summary>Float tensors shaped [C,H,W] or [1,C,H,W] with C ∈ {1, 3} and sides ≥ 8 as images, others as text.</summary>
    private static string TensorHtml(Tensor t)
    {
        var s = t.shape;
        if (s.Length == 4 && s[0] == 1) s = s[1..];
        bool image = t.is_floating_point() && s.Length == 3 && (s[0] == 1 || s[0] == 3) && s[1] >= 8 && s[2] >= 8;
        if (!image) return $"<pre>{WebUtility.HtmlEncode(t.ToString(TorchSharp.TensorStringStyle.Numpy))}</pre>";
        using var scope = NewDisposeScope();
        var chw = t.dim() == 4 ? t[0] : t;
        if (chw.shape[0] == 1) chw = chw.expand(3, -1, -1);
        var rgb = RgbImage.FromTensor(chw.detach().cpu().to_type(float32).clamp(0f, 1f));
        return ImageHtml(ImageFile.EncodePng(rgb), $"tensor [{string.Join(",", t.shape)}]");
    }

    /// <summary>Rows as an HTML table, one column per public property (as the project's kernel shows records).</summary>
    public static string TableHtml<T>(IEnumerable<T> rows)
    {
        var props = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        var sb = new StringBuilder("<table><thead><tr><th><i>index</i></th>");
        foreach (var p in props) sb.Append("<th>").Append(WebUtility.HtmlEncode(p.Name)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        int i = 0;
        foreach (var row in rows)
        {
            sb.Append("<tr><td>").Append(i++.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            foreach (var p in props)
                sb.Append("<td>").Append(WebUtility.HtmlEncode(Convert.ToString(row is null ? null : p.GetValue(row), CultureInfo.InvariantCulture) ?? "null")).Append("</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }
}
