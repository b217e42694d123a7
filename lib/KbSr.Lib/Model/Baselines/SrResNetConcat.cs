using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// SRResNet with the kernel code concatenated to the LR input — Table 1's "SRResNet (kernel concatenated)" row, the
/// baseline IKC compares SFT against (Gu et al., CVPR 2019, §5): SRResNet (Ledig et al., CVPR 2017) without batch
/// normalisation — 9×9 conv (3 + t → C) with PReLU; B residual blocks; 3×3 conv plus the skip from the first layer;
/// the pixel-shuffle upsampler with PReLU; 9×9 conv to the image — whose input is the LR image with the t kernel maps
/// appended (SRMD's stretching). Non-blind. LR [B, 3, h, w], code [B, t] → SR [B, 3, s·h, s·w].
/// </summary>
public sealed class SrResNetConcat : nn.Module<Tensor, Tensor, Tensor>, INonBlindNetwork
{
    public const string Name = "srresnet-concat";

    private readonly Conv2d head;
    private readonly PReLU head_act;
    private readonly Sequential blocks;
    private readonly Conv2d body_conv;
    private readonly PixelShuffleTail upsample;
    private readonly Conv2d output;

    public SrResNetConcat(KbSrConfig config) : base(nameof(SrResNetConcat))
    {
        var b = BaselineChecks.Require(config, Name);
        Config = config;
        int c = b.Channels, image = config.ImageChannels;
        head = nn.Conv2d(image + config.Loss.PcaDims, c, kernel_size: 9, padding: 4);
        head_act = nn.PReLU(num_parameters: 1, init: 0.25);
        blocks = nn.Sequential(Enumerable.Range(1, b.Blocks).Select(i => ($"block{i}", (nn.Module<Tensor, Tensor>)new ResidualBlock(c))));
        body_conv = nn.Conv2d(c, c, kernel_size: 3, padding: 1);
        upsample = new PixelShuffleTail(c, config.Scale, () => nn.PReLU(num_parameters: 1, init: 0.25));
        output = nn.Conv2d(c, image, kernel_size: 9, padding: 4);
        RegisterComponents();
    }

    public KbSrConfig Config { get; }

    public override Tensor forward(Tensor lr, Tensor code)
    {
        BaselineChecks.Input(lr, code, Config);
        var feature = head_act.call(head.call(KernelCodeMaps.Concat(lr, code)));
        var x = body_conv.call(blocks.call(feature)) + feature;                     // SRResNet's long skip
        return SrHeadConv.Apply(output, upsample.call(x));   // 9×9 to RGB at HR size: the tap form
    }
}
