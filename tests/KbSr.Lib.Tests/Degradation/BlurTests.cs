using KbSr.Degradation;
using TorchSharp;
using static KbSr.Tests.Degradation.DegradationAssert;
using static TorchSharp.torch;

namespace KbSr.Tests.Degradation;

public class BlurTests
{
    [Fact]
    public void Apply_DeltaKernel_IsIdentity()
    {
        using var scope = NewDisposeScope();
        var images = rand(2, 3, 17, 23);
        var delta = zeros(21, 21);
        delta[10, 10] = tensor(1f);
        Close(Blur.Apply(images, delta), images, 0);
        Close(Blur.Apply(images, stack([delta, delta])), images, 0);
    }

    [Fact]
    public void Apply_CornerDelta_ShiftsAsAConvolutionWithReflectPadding()
    {
        // Convolution: out[i,j] = Σ k[a,b]·x[i−(a−1), j−(b−1)]. With k = δ at (0,0): out[i,j] = x[i+1, j+1].
        // Reflect padding of a 3×3 image maps index 3 to 1 (the edge is not repeated), so
        // x = [[1,2,3],[4,5,6],[7,8,9]] gives [[5,6,5],[8,9,8],[5,6,5]].
        using var scope = NewDisposeScope();
        var x = arange(1, 10, dtype: float32).view(1, 1, 3, 3);
        var k = zeros(3, 3);
        k[0, 0] = tensor(1f);
        Close(Blur.Apply(x, k), [5, 6, 5, 8, 9, 8, 5, 6, 5], 0);
    }

    [Fact]
    public void Apply_BoxKernel_EqualsHandComputedAverages()
    {
        // 3×3 box (1/9 each) on x = [[1,2,3],[4,5,6],[7,8,9]] with reflect padding: the centre is the mean 5;
        // the top-left pixel averages rows {2,1,2}·cols {2,1,2} (1-based, after reflection):
        // (5+4+5 + 2+1+2 + 5+4+5)/9 = 33/9.
        using var scope = NewDisposeScope();
        var x = arange(1, 10, dtype: float64).view(1, 1, 3, 3);
        var y = Blur.Apply(x, full(3, 3, 1.0 / 9, dtype: float64));
        Assert.Equal(5.0, y[0, 0, 1, 1].item<double>(), 12);
        Assert.Equal(33.0 / 9, y[0, 0, 0, 0].item<double>(), 12);
    }

    [Fact]
    public void Apply_PerSampleKernels_EqualsBlurringEachImageAlone()
    {
        using var scope = NewDisposeScope();
        var images = rand(3, 3, 24, 19);
        var kernels = GaussianKernel.IsotropicBatch(tensor(new[] { 0.5f, 1.5f, 3.5f }));
        var batched = Blur.Apply(images, kernels);
        for (int i = 0; i < 3; i++)
            Close(batched[i].unsqueeze(0), Blur.Apply(images[i].unsqueeze(0), kernels[i]), 1e-6, $"sample {i}");
        Assert.True(MaxAbsDiff(batched[0], batched[2]) > 0, "different kernels must give different images");
    }

    [Fact]
    public void Apply_ConstantImage_StaysConstant()
    {
        using var scope = NewDisposeScope();
        var images = full(2, 3, 16, 16, 0.37f);
        var kernels = GaussianKernel.IsotropicBatch(tensor(new[] { 0.8f, 4.0f }));
        Close(Blur.Apply(images, kernels), images, 1e-6);
    }

    [Fact]
    public void Apply_IsDifferentiableInImagesAndKernels()
    {
        using var scope = NewDisposeScope();
        var images = rand(2, 3, 12, 12).requires_grad_();
        var kernels = GaussianKernel.IsotropicBatch(tensor(new[] { 1.0f, 2.0f }), 5).requires_grad_();
        var target = rand(2, 3, 12, 12);
        (Blur.Apply(images, kernels) - target).square().sum().backward();
        Assert.NotNull(kernels.grad);
        Assert.NotNull(images.grad);
        Assert.True(kernels.grad!.abs().sum().item<float>() > 0);
        Assert.True(images.grad!.abs().sum().item<float>() > 0);
        Assert.True(kernels.grad.isfinite().all().item<bool>());
    }

    [Fact]
    public void Apply_ImageNotLargerThanHalfKernel_ThrowsClearError()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => Blur.Apply(rand(1, 3, 10, 40), GaussianKernel.Isotropic(1.0)));
        Assert.Contains("reflection padding of 10", e.Message);
        Assert.Contains("10×40", e.Message);
        Assert.Throws<ArgumentException>(() => Blur.Apply(rand(2, 3, 30, 30), GaussianKernel.IsotropicBatch(tensor(new[] { 1f, 2f, 3f }))));
        Assert.Throws<ArgumentException>(() => Blur.Apply(rand(1, 3, 30, 30), ones(4, 4) / 16));
    }
}
