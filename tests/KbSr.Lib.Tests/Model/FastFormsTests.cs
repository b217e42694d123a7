using KbSr.Degradation;
using KbSr.Model;
using KbSr.Runtime;
using KbSr.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Tests.Model;

/// <summary>
/// Every faster form (<see cref="FastForms"/>) computes the literal form's function: outputs within 1e-5 and
/// gradients within 1e-4 of the largest gradient entry, at ×2, ×3, ×4 and odd LR sizes. Each test runs the same
/// inputs through both forms in one process; a form that was not taken would show as bitwise-equal gradients,
/// which each test also rules out where the sums are reordered.
/// </summary>
public sealed class FastFormsTests : IDisposable
{
    public void Dispose() => FastForms.Enabled = true;

    /// <summary>Outputs and input gradients of <paramref name="f"/> under the literal and the fast forms.</summary>
    private static (Tensor Output, Tensor[] Gradients) Run(bool fast, Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor seed)
    {
        FastForms.Enabled = fast;
        try
        {
            var leaves = inputs.Select(x => x.detach().clone().requires_grad_(true)).ToArray();
            var output = f(leaves);
            output.backward([seed]);
            return (output.detach(), leaves.Select(x => x.grad!.clone()).ToArray());
        }
        finally { FastForms.Enabled = true; }
    }

    internal static void AssertSameFunction(Func<Tensor[], Tensor> f, Tensor[] inputs, string what, bool expectReordered = true)
    {
        using var scope = NewDisposeScope();
        var shape = f(inputs.Select(x => x.detach()).ToArray()).shape;
        var seed = randn(shape);
        var (literal, literalGrads) = Run(false, f, inputs, seed);
        var (fast, fastGrads) = Run(true, f, inputs, seed);
        double outputScale = Math.Max(1, literal.abs().max().item<float>());
        double outputDiff = (fast - literal).abs().max().item<float>();
        Assert.True(outputDiff <= 1e-5 * outputScale, $"{what}: output differs by {outputDiff:G3} (scale {outputScale:G3})");
        bool anyReordered = false;
        for (int i = 0; i < inputs.Length; i++)
        {
            double scale = literalGrads[i].abs().max().item<float>();
            double diff = (fastGrads[i] - literalGrads[i]).abs().max().item<float>();
            Assert.True(scale > 0, $"{what}: input {i} gets no gradient");
            Assert.True(diff <= 1e-4 * scale, $"{what}: gradient of input {i} differs by {diff:G3} (largest {scale:G3})");
            anyReordered |= diff > 0;
        }
        if (expectReordered) Assert.True(anyReordered, $"{what}: gradients bitwise equal — the fast form was not taken");
    }

    public static TheoryData<bool, int, int, int> BlurCases => new()
    {
        { false, 2, 13, 9 }, { false, 3, 11, 7 }, { false, 4, 24, 24 }, { false, 4, 9, 5 },
        { true, 2, 13, 9 }, { true, 3, 11, 7 }, { true, 4, 24, 24 }, { true, 4, 9, 5 }, { true, 4, 31, 17 },
    };

    /// <summary>The hand-written kernel gradient (byFft false) and the FFT form (true) against the direct sums.</summary>
    [Theory]
    [MemberData(nameof(BlurCases))]
    public void Blur_PerSampleKernels_FastFormEqualsLiteral(bool byFft, int scale, int h, int w)
    {
        using var scope = NewDisposeScope();
        var images = rand(3, 3, scale * h, scale * w);
        // not point-symmetric: a flip in the wrong place would show
        var kernels = softmax(randn(3, 21 * 21).mul(2), 1).view(3, 21, 21);
        AssertSameFunction(x => Blur.Apply(x[0], x[1], byFft), [images, kernels], $"blur (FFT {byFft}) ×{scale} {h}×{w}");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 8)]
    [InlineData(116, 120)]   // a Small training patch: 96 + 20
    [InlineData(121, 125)]
    [InlineData(788, 800)]   // 788 = 4·197 would be a slow FFT length
    public void SmoothSize_IsTheNextLengthWithFactorsTwoThreeFive(int size, int expected) =>
        Assert.Equal(expected, Blur.SmoothSize(size));

    [Theory]
    [InlineData(16, 3, 13, 9)]
    [InlineData(64, 3, 7, 11)]
    [InlineData(32, 5, 12, 7)]    // SRCNN's reconstruction
    [InlineData(40, 9, 10, 13)]   // SRResNet's and SFTMD's output conv
    [InlineData(8, 9, 5, 6)]      // a kernel wider than the image
    public void SrHeadTaps_EqualsTheConv(int channels, int k, int h, int w)
    {
        using var scope = NewDisposeScope();
        var x = randn(2, channels, h, w);
        var weight = randn(3, channels, k, k) * 0.1;
        var bias = randn(3);
        // Literal and tap forms side by side (the switch picks the tap form only without autograd).
        var seed = randn(2, 3, h, w);
        Tensor[] Grads(Func<Tensor, Tensor, Tensor, Tensor> f, out Tensor y)
        {
            var leaves = new[] { x, weight, bias }.Select(t => t.clone().requires_grad_(true)).ToArray();
            y = f(leaves[0], leaves[1], leaves[2]);
            y.backward([seed]);
            return leaves.Select(l => l.grad!.clone()).ToArray();
        }
        var literal = Grads((a, b, c) => nn.functional.conv2d(a, b, c, padding: [k / 2, k / 2]), out var yLiteral);
        // Both the plain tap form (autograd) and the one with the hand-written backward (what training runs).
        foreach (var (form, f) in new (string, Func<Tensor, Tensor, Tensor, Tensor>)[] { ("taps", SrHeadConv.Taps), ("taps + backward", SrHeadConv.TapsWithGradient) })
        {
            var taps = Grads(f, out var yTaps);
            Assert.True((yTaps - yLiteral).abs().max().item<float>() <= 1e-5 * Math.Max(1, yLiteral.abs().max().item<float>()), form);
            for (int i = 0; i < 3; i++)
                Assert.True((taps[i] - literal[i]).abs().max().item<float>() <= 1e-4 * literal[i].abs().max().item<float>(), $"{form}: gradient {i}");
        }
    }

    public static TheoryData<int, int, int> Scales => new() { { 2, 7, 5 }, { 3, 5, 6 }, { 4, 5, 5 }, { 4, 6, 3 } };

    private static KbSrConfig Config(int scale) => KbSrConfig.Test with { Scale = scale, KernelSize = scale == 2 ? 5 : 7 };

    [Theory]
    [MemberData(nameof(Scales))]
    public void Network_Inference_FastEqualsLiteral(int scale, int h, int w)
    {
        using var scope = NewDisposeScope();
        var config = Config(scale);
        using var net = ModelFixtures.Network(config);
        net.eval();
        var (_, lr, _) = ModelFixtures.Batch(config, batch: 2, h: h, w: w);
        using var _ = no_grad();
        FastForms.Enabled = false;
        var literal = net.call(lr);
        FastForms.Enabled = true;
        var fast = net.call(lr);
        double diff = (fast - literal).abs().max().item<float>();
        Assert.True(diff <= 1e-5, $"×{scale} {h}×{w}: SR differs by {diff:G3}");
    }

    [Theory]
    [MemberData(nameof(Scales))]
    public void Network_TrainingGradients_FastEqualLiteral(int scale, int h, int w)
    {
        using var scope = NewDisposeScope();
        var config = Config(scale);
        using var net = ModelFixtures.Network(config);
        var (hr, lr, kernel) = ModelFixtures.Batch(config, batch: 2, h: h, w: w);
        using var pca = ModelFixtures.Pca(config);
        var loss = new KbSrLoss(config.Loss, pca);
        (double Loss, Dictionary<string, Tensor> Grads) Step(bool fast)
        {
            FastForms.Enabled = fast;
            net.zero_grad();
            using var output = net.Run(lr);
            using var terms = loss.Compute(output, hr, lr, kernel);
            terms.Total.backward();
            return (terms.TotalValue, net.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }
        var (literalLoss, literal) = Step(false);
        var (fastLoss, fast) = Step(true);
        Assert.True(Math.Abs(fastLoss - literalLoss) <= 1e-5 * Math.Max(1, Math.Abs(literalLoss)), $"loss {fastLoss} vs {literalLoss}");
        bool anyReordered = false;
        foreach (var (name, g) in literal)
        {
            double scaleOf = g.abs().max().item<float>(), diff = (fast[name] - g).abs().max().item<float>();
            Assert.True(diff <= 1e-4 * scaleOf + 1e-12, $"×{scale}: gradient of {name} differs by {diff:G3} (largest {scaleOf:G3})");
            anyReordered |= diff > 0;
        }
        Assert.True(anyReordered, "gradients bitwise equal — no fast form was taken");
    }
}
