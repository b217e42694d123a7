using System.Text.Json.Nodes;
using KbSr.Kernel.Formatting;
using static TorchSharp.torch;

namespace KbSr.Kernel.Tests.Formatting;

[Collection(PlotlySessionCollection.Name)]
public class FormatterTests
{
    public sealed record Row(string Name, int Value);
    public sealed class Custom { public int N { get; init; } }
    public sealed class FakeImage { public int Width => 2; public int Height => 1; public byte[] Pixels => [255, 0, 0, 0, 0, 255]; }

    [Fact]
    public void Format_Records_HtmlTableWithColumnsAndEncodedCells()
    {
        var bundle = Formatter.Format(new List<Row> { new("a<b", 1), new("c", 2) });
        string html = bundle["text/html"]!.GetValue<string>();
        Assert.Contains("<th>Name</th><th>Value</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td>a&lt;b</td><td>1</td>", html, StringComparison.Ordinal);
        Assert.True(bundle.ContainsKey("text/plain"));
    }

    [Fact]
    public void Register_CustomType_Wins()
    {
        Formatter.Register<Custom>(c => new Dictionary<string, JsonNode> { ["text/markdown"] = $"**{c.N}**" });
        var bundle = Formatter.Format(new Custom { N = 7 });
        Assert.Equal("**7**", bundle["text/markdown"]!.GetValue<string>());
    }

    [Fact]
    public void Format_ImageShapedTensorAndRgbType_Png()
    {
        using var t = full(3, 16, 24, 0.5f);
        var png = Convert.FromBase64String(Formatter.Format(t)["image/png"]!.GetValue<string>());
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal(24, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]); // IHDR width
        Assert.Equal(16, (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);
        using var small = ones(3, 2, 2);
        Assert.False(Formatter.Format(small).ContainsKey("image/png"));
        Assert.True(Formatter.Format(new FakeImage()).ContainsKey("image/png"));
        var rgb = Convert.FromBase64String(Formatter.Format(new KbSr.Imaging.RgbImage(5, 2, new byte[30]))["image/png"]!.GetValue<string>());
        Assert.Equal(5, (rgb[16] << 24) | (rgb[17] << 16) | (rgb[18] << 8) | rgb[19]);
    }

    [Fact]
    public void Format_PlotlyChart_OfflineHtml_PlotlyJsOncePerSession_StaticImage()
    {
        var published = new List<JsonObject>();
        var saved = PlotlyFormatter.Publish;
        PlotlyFormatter.Publish = published.Add;
        PlotlyFormatter.NewSession();
        try
        {
            var chart = Plotly.NET.CSharp.Chart.Line<int, int, string>(x: new[] { 1, 2 }, y: new[] { 3, 4 });
            var first = Formatter.Format(chart);
            var second = Formatter.Format(chart);

            // plotly.js went out once, inline, before the first chart; the second chart relies on it.
            var script = Assert.Single(published)["text/html"]!.GetValue<string>();
            Assert.Contains("plotly.js v2.28.0", script, StringComparison.Ordinal);
            Assert.True(script.Length > 3_000_000);
            Assert.DoesNotMatch(@"<script[^>]*\ssrc=", script);

            foreach (var bundle in new[] { first, second })
            {
                Assert.Equal(4, bundle["application/vnd.plotly.v1+json"]!["data"]![0]!["y"]![1]!.GetValue<int>());
                string html = bundle["text/html"]!.GetValue<string>();
                Assert.DoesNotContain("https://", html, StringComparison.Ordinal);   // no CDN, nothing from the network
                Assert.DoesNotContain("cdn.plot.ly", html, StringComparison.Ordinal);
                Assert.True(html.Length < 200_000);                                  // plotly.js is not repeated per chart
                if (!KbSr.Charts.ChromiumRenderer.IsAvailable) continue;
                // The static image: a PNG in the bundle, and inside the div for viewers that strip scripts.
                string png = bundle["image/png"]!.GetValue<string>();
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, Convert.FromBase64String(png)[..4]);
                Assert.Contains($"src=\"data:image/png;base64,{png}\"", html, StringComparison.Ordinal);
            }
            if (!KbSr.Charts.ChromiumRenderer.IsAvailable)
            {
                if (Environment.GetEnvironmentVariable("KBSR_REQUIRE_ALL") == "1")
                    Assert.Fail("no headless browser for static chart images: " + KbSr.Charts.ChromiumRenderer.InstallHint);
                Assert.Contains("no static image", first["text/plain"]!.GetValue<string>(), StringComparison.Ordinal);
            }
        }
        finally { PlotlyFormatter.Publish = saved; }
    }
}
