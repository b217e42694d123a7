using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// SRMD-NF (Zhang, Zuo and Zhang, "Learning a Single Convolutional Super-Resolution Network for Multiple
/// Degradations", CVPR 2018, Fig. 2, noise-free variant): the kernel's PCA code is stretched into t maps and
/// concatenated with the LR image; a plain stack of 3×3 convs — the first (3 + t → C) and the middle ones (C → C)
/// each followed by ReLU — then a last conv to 3·s² channels and a pixel shuffle ×s. The paper: 12 conv layers of
/// 128 channels, t = 15; batch normalisation during training only, folded away for testing (left out here, as in the
/// released model). Non-blind. LR [B, 3, h, w], code [B, t] → SR [B, 3, s·h, s·w].
/// </summary>
public sealed class SrmdNf : nn.Module<Tensor, Tensor, Tensor>, INonBlindNetwork
{
    public const string Name = "srmd-nf";

    private readonly Sequential body;
    private readonly Conv2d tail;
    private readonly PixelShuffle shuffle;

    public SrmdNf(KbSrConfig config) : base(nameof(SrmdNf))
    {
        var b = BaselineChecks.Require(config, Name);
        if (b.Blocks < 2) throw new ArgumentException($"SRMD needs at least 2 conv layers (first and last); got baseline.blocks = {b.Blocks}");
        Config = config;
        int image = config.ImageChannels, s = config.Scale;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv1", nn.Conv2d(image + config.Loss.PcaDims, b.Channels, kernel_size: 3, padding: 1)), ("relu1", nn.ReLU()),
        };
        for (int i = 2; i < b.Blocks; i++)
        {
            layers.Add(($"conv{i}", nn.Conv2d(b.Channels, b.Channels, kernel_size: 3, padding: 1)));
            layers.Add(($"relu{i}", nn.ReLU()));
        }
        body = nn.Sequential(layers);
        tail = nn.Conv2d(b.Channels, image * s * s, kernel_size: 3, padding: 1);
        shuffle = nn.PixelShuffle(s);
        RegisterComponents();
    }

    public KbSrConfig Config { get; }

    public override Tensor forward(Tensor lr, Tensor code)
    {
        BaselineChecks.Input(lr, code, Config);
        return shuffle.call(tail.call(body.call(KernelCodeMaps.Concat(lr, code))));
    }
}
