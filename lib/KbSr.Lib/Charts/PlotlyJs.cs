using System.Reflection;

namespace KbSr.Charts;

/// <summary>
/// The plotly.js that Plotly.NET 6.0 embeds in its assembly (2.28.0, MIT). Read from the assembly, never from
/// the network, so every chart the project writes works offline (docs/design.md §3.3).
/// </summary>
public static class PlotlyJs
{
    public const string Version = "2.28.0";
    private const string ResourceName = "Plotly.NET.plotly-" + Version + ".min.js";

    private static readonly Lazy<string> Text = new(() =>
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        using var stream = assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Plotly.NET {assembly.GetName().Version} does not embed '{ResourceName}'; " +
                "the project pins Plotly.NET 6.0.0 (Directory.Packages.props).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The minified library (about 3.6 MB of text).</summary>
    public static string Source => Text.Value;

    /// <summary>The window event fired once <c>window.Plotly</c> exists (charts drawn before it wait for it).</summary>
    public const string ReadyEvent = "kbsr-plotly-ready";

    /// <summary>
    /// A script element that defines <c>window.Plotly</c>, then fires <see cref="ReadyEvent"/>. An AMD loader on
    /// the page (classic Jupyter's require.js) would otherwise capture the UMD bundle, so <c>define</c> is hidden
    /// while it runs.
    /// </summary>
    public static string InlineScript() =>
        "<script type=\"text/javascript\">(function(){var d=window.define;window.define=undefined;try{\n" +
        Source.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase) +
        "\n}finally{window.define=d;}window.dispatchEvent(new Event('" + ReadyEvent + "'));})();</script>";
}
