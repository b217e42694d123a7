using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Model;
using static TorchSharp.torch;

namespace KbSr.Tests.Evaluation;

public class KernelErrorTests
{
    [Fact]
    public void L1_OfDisjointDeltas_IsTwo()
    {
        using var a = zeros(5, 5);
        using var b = zeros(5, 5);
        a[2, 2] = 1f;
        b[0, 0] = 1f;
        Assert.Equal(2.0, KernelError.L1(a, b), 12);
        Assert.Equal(0.0, KernelError.L1(a, a), 12);
    }

    [Fact]
    public void L1_OfBatch_IsMeanOverSamples()
    {
        // sample 0 equals the truth (error 0); sample 1 moves 0.25 of the mass from the centre to a corner (error 0.5)
        using var truth = zeros(3, 3);
        truth[1, 1] = 1f;
        using var batch = zeros(2, 3, 3);
        batch[0, 1, 1] = 1f;
        batch[1, 1, 1] = 0.75f;
        batch[1, 0, 0] = 0.25f;
        Assert.Equal(0.25, KernelError.L1(batch, truth), 6);
    }

    [Fact]
    public void L1_OfDifferentSizes_Throws()
    {
        using var a = zeros(3, 3);
        using var b = zeros(5, 5);
        Assert.Throws<ArgumentException>(() => KernelError.L1(a, b));
    }

    [Fact]
    public void Sweep_OfTestNetwork_GivesOnePointPerSigmaAndStageWithinBounds()
    {
        KbSr.Runtime.TorchRuntime.Seed(3);
        using var net = new KbSrNet(KbSrConfig.Test);
        using var hr = rand(3, 16, 16);
        var points = KernelError.Sweep(net, [hr], [0.5, 1.5]);
        Assert.Equal(2 * (KbSrConfig.Test.Stages + 1), points.Count);
        Assert.Equal([0, 1, 2, 0, 1, 2], points.Select(p => p.Stage));
        Assert.Equal([0.5, 0.5, 0.5, 1.5, 1.5, 1.5], points.Select(p => p.Sigma));
        // softmax kernels and Gaussians both sum to 1, so the L1 distance lies in (0, 2]
        Assert.All(points, p => Assert.InRange(p.L1, 1e-6, 2.0));
        Assert.True(net.training);   // the sweep restores the mode it found
    }

    [Fact]
    public void PcaReconstruction_WithAllDimensionsOfTheFittedKernels_IsNearZero_AndGrowsWithFewerDimensions()
    {
        using var kernels = GaussianKernel.IsotropicBatch(tensor(new[] { 0.5, 1.0, 1.5, 2.0, 2.5, 3.0 }), size: 7);
        using var full = KernelPca.Fit(kernels, 5);       // 6 kernels, mean removed: at most 5 directions
        using var one = KernelPca.Fit(kernels, 1);
        double fullError = KernelError.PcaReconstruction(full, kernels);
        double oneError = KernelError.PcaReconstruction(one, kernels);
        Assert.True(fullError < 1e-4, $"5-dim error {fullError}");
        Assert.True(oneError > 10 * fullError && oneError > 1e-3, $"1-dim error {oneError} vs 5-dim {fullError}");
    }

    [Fact]
    public void MassOutside_CountsOnlyEntriesBeyondTheCentralSquare()
    {
        // 5×5 uniform kernel (each 1/25): the central 3×3 holds 9/25, so 16/25 lies outside radius 1
        using var k = full(new long[] { 5, 5 }, 1f / 25);
        Assert.Equal(16.0 / 25, KernelError.MassOutside(k, 1), 6);
        Assert.Equal(0.0, KernelError.MassOutside(k, 2), 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelError.MassOutside(k, 3));
    }
}
