using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// DAN's Restorer (Luo et al., NeurIPS 2020, §3.2, Fig. 3): the SR network given the current kernel code — conv3
/// (3 → C); B <see cref="ConditionalResidualBlock"/>s conditioned on the stretched code (t maps); a fusion conv3; the
/// pixel-shuffle upsampler without activations (×2, ×3: one stage; ×4: two ×2 stages) and conv3 (C → 3). No long skip
/// and no clamp, as in DAN's code. LR [B, 3, h, w], code [B, t] → SR [B, 3, s·h, s·w].
/// </summary>
public sealed class DanRestorer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Conv2d head;
    private readonly ModuleList<ConditionalResidualBlock> blocks;
    private readonly Conv2d fusion;
    private readonly PixelShuffleTail upsample;
    private readonly Conv2d output;

    public DanRestorer(int imageChannels, int channels, int blockCount, int codeLength, int scale, double slope) : base(nameof(DanRestorer))
    {
        head = nn.Conv2d(imageChannels, channels, kernel_size: 3, padding: 1);
        blocks = nn.ModuleList(Enumerable.Range(0, blockCount).Select(_ => new ConditionalResidualBlock(channels, codeLength, slope)).ToArray());
        fusion = nn.Conv2d(channels, channels, kernel_size: 3, padding: 1);
        upsample = new PixelShuffleTail(channels, scale, () => nn.Identity());
        output = nn.Conv2d(channels, imageChannels, kernel_size: 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor lr, Tensor code)
    {
        var maps = KernelCodeMaps.Stretch(code, lr.shape[2], lr.shape[3]);
        var x = head.call(lr);
        foreach (var block in blocks) x = block.call(x, maps);
        return SrHeadConv.Apply(output, upsample.call(fusion.call(x)));
    }
}
