using KbSr.Degradation;
using KbSr.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Tests.Degradation;

public class DegradationLeakTests
{
    [Fact]
    public void SynthesisLoop_LeavesNoLiveTensorsBehind()
    {
        // The training loop's synthesis path: sample kernels, degrade, encode the kernels, blur/resize with
        // gradients. Only what the caller disposes is handed out; caches are warmed by the first pass.
        var sampler = new KernelSampler(KernelDistribution.Paper);
        using var pca = KernelPca.ForDistribution(KernelDistribution.Paper, count: 50, dims: 10);
        using var generator = TorchRuntime.Generator(8);
        using var hr = rand(2, 3, 32, 32);
        void Step()
        {
            var (kernels, sigmas) = sampler.Sample(2, generator);
            using (kernels)
            using (sigmas)
            using (var lr = Degrader.Degrade(hr, kernels, 4, noiseSigma: 0.01, generator: generator))
            using (var codes = pca.Encode(kernels))
            using (var scope = NewDisposeScope())
            {
                var k = kernels.clone().requires_grad_();
                Bicubic.Resize(Blur.Apply(hr, k), 0.25).sub(lr).square().mean().backward();
            }
        }
        Step();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++) Step();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
