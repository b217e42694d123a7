using KbSr.Evaluation;
using KbSr.Imaging;
using KbSr.Tests.Imaging;
using TorchSharp;

namespace KbSr.Tests.Evaluation;

public class MetricDisposalTests
{
    [Fact]
    public void Metrics_RepeatedCalls_LeaveNoLiveTensors()
    {
        using var hr = TestImages.Random(24, 20, seed: 1).ToTensor();
        using var sr = TestImages.Random(24, 20, seed: 2).ToTensor();
        using var batched = sr.unsqueeze(0);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++)
        {
            Psnr.OnY(sr, hr, shave: 2);
            Psnr.OnY(batched, hr, shave: 2, grey: true);
            Psnr.OnRgb(sr, hr, shave: 2);
            Ssim.OnY(sr, hr, shave: 2);
            RgbImage.FromTensor(sr);
        }
        Assert.True(DisposeScopeManager.Statistics.ThreadTotalLiveCount == before,
                    "metrics leaked tensors: " + DisposeScopeManager.Statistics);
    }
}
