using KbSr.Model;
using TorchSharp;
using static KbSr.Tests.Model.ModelFixtures;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace KbSr.Tests.Model;

public sealed class ProjectionTests
{
    [Theory]
    [InlineData(2, 5, 7)]
    [InlineData(3, 5, 4)]
    [InlineData(4, 3, 5)]
    [InlineData(8, 2, 3)]
    public void Projections_AnyScale_MapSizesExactly(int scale, int h, int w)
    {
        using var scope = NewDisposeScope();
        using var up = new UpProjection(3, scale);
        using var down = new DownProjection(3, scale);
        var hr = up.call(randn(2, 3, h, w));
        Assert.Equal(new long[] { 2, 3, scale * h, scale * w }, hr.shape);
        Assert.Equal(new long[] { 2, 3, h, w }, down.call(hr).shape);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void UpProjection_EqualsHandComposedLayers(int scale)
    {
        using var scope = NewDisposeScope();
        using var up = new UpProjection(4, scale);
        var p = up.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        int k = new[] { 0, 0, 6, 7, 8 }[scale];
        var l = randn(2, 4, 5, 6);
        // DBPN: H0 = deconv(L); L0 = conv(H0); H1 = deconv(L0 − L); out = H0 + H1, each layer with bias + PReLU.
        Tensor Deconv(Tensor x, string n) => F.prelu(F.conv_transpose2d(x, p[n + ".weight"], p[n + ".bias"], strides: [scale], padding: [2]), p[Act(n) + ".weight"]);
        Tensor Conv(Tensor x, string n) => F.prelu(F.conv2d(x, p[n + ".weight"], p[n + ".bias"], strides: [scale], padding: [2]), p[Act(n) + ".weight"]);
        Assert.Equal(new long[] { 4, 4, k, k }, p["deconv_h0.weight"].shape);
        var h0 = Deconv(l, "deconv_h0");
        var l0 = Conv(h0, "conv_l0");
        var expected = h0 + Deconv(l0 - l, "deconv_h1");
        Close(up.call(l), expected, 1e-6, "up");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void DownProjection_EqualsHandComposedLayers(int scale)
    {
        using var scope = NewDisposeScope();
        using var down = new DownProjection(4, scale);
        var p = down.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var h = randn(2, 4, 5 * scale, 3 * scale);
        Tensor Deconv(Tensor x, string n) => F.prelu(F.conv_transpose2d(x, p[n + ".weight"], p[n + ".bias"], strides: [scale], padding: [2]), p[Act(n) + ".weight"]);
        Tensor Conv(Tensor x, string n) => F.prelu(F.conv2d(x, p[n + ".weight"], p[n + ".bias"], strides: [scale], padding: [2]), p[Act(n) + ".weight"]);
        var l0 = Conv(h, "conv_l0");
        var h0 = Deconv(l0, "deconv_h0");
        var expected = l0 + Conv(h0 - h, "conv_l1");
        Close(down.call(h), expected, 1e-6, "down");
    }

    [Fact]
    public void Projection_PReluSlopes_StartAtQuarterWithOneSlopeEach()
    {
        using var up = new UpProjection(4, 4);
        var slopes = up.named_parameters().Where(x => x.name.StartsWith("act", StringComparison.Ordinal)).Select(x => x.parameter).ToList();
        Assert.Equal(3, slopes.Count);
        Assert.All(slopes, s => { Assert.Equal(1, s.numel()); Assert.Equal(0.25f, s.item<float>()); });
    }

    [Fact]
    public void DbpnInit_ProjectionWeights_HaveKaimingFanInStdAndZeroBias()
    {
        using var scope = NewDisposeScope();
        using var network = Network(KbSrConfig.Test with { Channels = 32, Scale = 4 });
        var p = network.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        // conv [out=32, in=32, 8, 8]: fan-in 32·64 = 2048, std √(2/2048) ≈ 0.03125.
        double std = p["stages.0.up.conv_l0.weight"].std().item<float>();
        Assert.InRange(std, 0.03125 * 0.95, 0.03125 * 1.05);
        Assert.Equal(0f, p["stages.0.up.conv_l0.bias"].abs().max().item<float>());
    }

    private static string Act(string layer) => "act_" + layer.Split('_')[1];
}
