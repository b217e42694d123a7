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
    public void Sweep_OfTestNetwork_GivesPerStageMeanL1AgainstTheGaussianOfEachSigma()
    {
        KbSr.Runtime.TorchRuntime.Seed(3);
        using var net = new KbSrNet(KbSrConfig.Test);
        using var scope = NewDisposeScope();
        Tensor[] hrs = [rand(3, 16, 16), rand(3, 16, 12)];
        var points = KernelError.Sweep(net, hrs, [0.5, 1.5]);
        Assert.Equal(2 * (KbSrConfig.Test.Stages + 1), points.Count);
        Assert.Equal([0, 1, 2, 0, 1, 2], points.Select(p => p.Stage));
        Assert.Equal([0.5, 0.5, 0.5, 1.5, 1.5, 1.5], points.Select(p => p.Sigma));
        Assert.True(net.training);   // the sweep restores the mode it found

        // Expected: the network's K0, K1, K2 on each image's LR, against exp(−(x²+y²)/2σ²) on −2…2 written out here,
        // Σ|K − G| summed in doubles and averaged over the two images.
        using (no_grad())
            foreach (var point in points)
            {
                double sum = 0;
                foreach (var hr in hrs)
                {
                    using var output = net.Run(TestSetSynthesis.MakeLr(hr, point.Sigma, KbSrConfig.Test.Scale, KbSrConfig.Test.KernelSize));
                    var kernel = point.Stage == 0 ? output.InitialKernel : output.Kernels[point.Stage - 1];
                    float[] k = kernel[0].contiguous().data<float>().ToArray();
                    var g = HandGaussian(point.Sigma, 5);
                    sum += k.Select((v, i) => Math.Abs(v - g[i])).Sum();
                }
                Assert.Equal(sum / hrs.Length, point.L1, 6);
            }
    }

    private static double[] HandGaussian(double sigma, int size)
    {
        int r = size / 2;
        var g = new double[size * size];
        for (int y = -r; y <= r; y++)
            for (int x = -r; x <= r; x++)
                g[(y + r) * size + x + r] = Math.Exp(-(x * x + y * y) / (2 * sigma * sigma));
        double total = g.Sum();
        return g.Select(v => v / total).ToArray();
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
