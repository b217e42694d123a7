using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// SFTMD (Gu, Lu, Zuo and Dong, "Blind Super-Resolution With Iterative Kernel Correction", CVPR 2019, Fig. 4):
/// SRResNet whose residual blocks are modulated by SFT layers conditioned on the stretched kernel code — Table 1's
/// "SRResNet (SFT)" row and the SR network inside IKC. As in IKC's code: conv3 (3 → C), LeakyReLU, conv3, LeakyReLU,
/// conv3; B SFT residual blocks; the long skip; one more SFT layer and a conv3; the pixel-shuffle upsampler with
/// LeakyReLU(0.2); a 9×9 conv to the image. **[choice: IKC clamps the output to [0, 1] inside the network; here the
/// metrics clamp, so saturated pixels still pass gradients in training]**. Non-blind.
/// LR [B, 3, h, w], code [B, t] → SR [B, 3, s·h, s·w].
/// </summary>
public sealed class Sftmd : nn.Module<Tensor, Tensor, Tensor>, INonBlindNetwork
{
    public const string Name = "sftmd";

    private readonly Conv2d conv1;
    private readonly LeakyReLU act1;
    private readonly Conv2d conv2;
    private readonly LeakyReLU act2;
    private readonly Conv2d conv3;
    private readonly ModuleList<SftResidualBlock> blocks;
    private readonly SftLayer sft;
    private readonly Conv2d conv_mid;
    private readonly PixelShuffleTail upsample;
    private readonly Conv2d output;

    public Sftmd(KbSrConfig config) : base(nameof(Sftmd))
    {
        var b = BaselineChecks.Require(config, Name);
        Config = config;
        int c = b.Channels, t = config.Loss.PcaDims, image = config.ImageChannels;
        conv1 = nn.Conv2d(image, c, kernel_size: 3, padding: 1);
        act1 = nn.LeakyReLU(negative_slope: b.Slope);
        conv2 = nn.Conv2d(c, c, kernel_size: 3, padding: 1);
        act2 = nn.LeakyReLU(negative_slope: b.Slope);
        conv3 = nn.Conv2d(c, c, kernel_size: 3, padding: 1);
        blocks = nn.ModuleList(Enumerable.Range(0, b.Blocks).Select(_ => new SftResidualBlock(c, t, b.Hidden, b.Slope)).ToArray());
        sft = new SftLayer(c, t, b.Hidden, b.Slope);
        conv_mid = nn.Conv2d(c, c, kernel_size: 3, padding: 1);
        upsample = new PixelShuffleTail(c, config.Scale, () => nn.LeakyReLU(negative_slope: b.Slope));
        output = nn.Conv2d(c, image, kernel_size: 9, padding: 4);
        RegisterComponents();
    }

    public KbSrConfig Config { get; }

    public override Tensor forward(Tensor lr, Tensor code)
    {
        BaselineChecks.Input(lr, code, Config);
        var maps = KernelCodeMaps.Stretch(code, lr.shape[2], lr.shape[3]);          // [B, t, h, w]
        var feature = conv3.call(act2.call(conv2.call(act1.call(conv1.call(lr)))));
        var x = feature;
        foreach (var block in blocks) x = block.call(x, maps);
        x = conv_mid.call(sft.call(x + feature, maps));
        return SrHeadConv.Apply(output, upsample.call(x));   // 9×9 to RGB at HR size: the tap form
    }
}
