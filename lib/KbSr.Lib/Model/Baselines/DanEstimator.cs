using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// DAN's Estimator (Luo et al., NeurIPS 2020, §3.2, Fig. 3): the kernel code from the LR image and the current SR image.
/// The LR image through a 1×1 conv (3 → W/2) and the SR image through a 9×9 conv of stride s (3 → W/2, padding 4, which
/// brings it to the LR grid); B <see cref="ConditionalResidualBlock"/>s on the LR features conditioned on the SR
/// features; conv3 (W/2 → t) and global average pooling. Option: both images centred on their mean colour first
/// (<see cref="BaselineConfig.CentredInput"/>). SR [B, 3, s·h, s·w], LR [B, 3, h, w] → code [B, t].
/// </summary>
public sealed class DanEstimator : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Conv2d head_lr;
    private readonly Conv2d head_sr;
    private readonly ModuleList<ConditionalResidualBlock> blocks;
    private readonly Conv2d output;

    private readonly bool _centred;

    public DanEstimator(int imageChannels, int width, int blockCount, int codeLength, int scale, double slope, bool centredInput = false)
        : base(nameof(DanEstimator))
    {
        _centred = centredInput;
        int half = Math.Max(1, width / 2);
        head_lr = nn.Conv2d(imageChannels, half, kernel_size: 1);
        head_sr = nn.Conv2d(imageChannels, half, kernel_size: 9, stride: scale, padding: 4);
        blocks = nn.ModuleList(Enumerable.Range(0, blockCount).Select(_ => new ConditionalResidualBlock(half, half, slope)).ToArray());
        output = nn.Conv2d(half, codeLength, kernel_size: 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor sr, Tensor lr)
    {
        if (_centred)
        {
            sr = sr - sr.mean([2, 3], keepdim: true);
            lr = lr - lr.mean([2, 3], keepdim: true);
        }
        var condition = head_sr.call(sr);                                          // [B, W/2, h, w]
        if (condition.shape[2] != lr.shape[2] || condition.shape[3] != lr.shape[3])
            throw new ArgumentException($"the SR image [{string.Join(',', sr.shape)}] does not fit the LR image [{string.Join(',', lr.shape)}]", nameof(sr));
        var x = head_lr.call(lr);
        foreach (var block in blocks) x = block.call(x, condition);
        return output.call(x).mean([2, 3]);                                         // GAP: [B, t]
    }
}
