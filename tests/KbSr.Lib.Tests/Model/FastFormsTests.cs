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

    [Theory]
    [InlineData(2, 13, 9)]
    [InlineData(3, 11, 7)]
    [InlineData(4, 24, 24)]
    [InlineData(4, 9, 5)]
    public void Blur_PerSampleKernels_FastGradientEqualsLiteral(int scale, int h, int w)
    {
        using var scope = NewDisposeScope();
        var images = rand(3, 3, scale * h, scale * w);
        var kernels = softmax(randn(3, 21 * 21), 1).view(3, 21, 21);
        AssertSameFunction(x => Blur.Apply(x[0], x[1]), [images, kernels], $"blur ×{scale} {h}×{w}");
    }
}
