using KbSr.Degradation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// SRCNN-CAB (Riegler, Schulter, Rüther and Bischof, "Conditioned Regression Models for Non-Blind Single Image
/// Super-Resolution", ICCV 2015): SRCNN (Dong et al. 2014: 9×9 conv n1, ReLU, 1×1 conv n2, ReLU, 5×5 conv to the
/// image) on the bicubic-upsampled LR, conditioned on the blur kernel by giving the network the kernel as extra
/// input: here the kernel's PCA code, stretched to constant maps of the HR size and concatenated with the image
/// (away from the borders this is a kernel-dependent bias of the first layer). RGB in and out, "same" padding
/// **[choice: SRCNN's original used the Y channel and valid convolutions]**. Non-blind.
/// LR [B, 3, h, w], code [B, t] → SR [B, 3, s·h, s·w].
/// </summary>
public sealed class SrcnnCab : nn.Module<Tensor, Tensor, Tensor>, INonBlindNetwork
{
    public const string Name = "srcnn-cab";

    private readonly Conv2d extract;
    private readonly ReLU extract_act;
    private readonly Conv2d map;
    private readonly ReLU map_act;
    private readonly Conv2d reconstruct;

    public SrcnnCab(KbSrConfig config) : base(nameof(SrcnnCab))
    {
        var b = BaselineChecks.Require(config, Name);
        Config = config;
        int t = config.Loss.PcaDims, image = config.ImageChannels;
        extract = nn.Conv2d(image + t, b.Channels, kernel_size: 9, padding: 4);
        extract_act = nn.ReLU();
        map = nn.Conv2d(b.Channels, b.Hidden, kernel_size: 1);
        map_act = nn.ReLU();
        reconstruct = nn.Conv2d(b.Hidden, image, kernel_size: 5, padding: 2);
        RegisterComponents();
    }

    public KbSrConfig Config { get; }

    public override Tensor forward(Tensor lr, Tensor code)
    {
        BaselineChecks.Input(lr, code, Config);
        var upsampled = Bicubic.Resize(lr, Config.Scale);                        // SRCNN's input: bicubic ×s
        var x = extract_act.call(extract.call(KernelCodeMaps.Concat(upsampled, code)));
        return SrHeadConv.Apply(reconstruct, map_act.call(map.call(x)));   // 5×5 to RGB at HR size: the tap form
    }
}
