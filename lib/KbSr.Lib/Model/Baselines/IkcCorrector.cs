using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// IKC's Corrector (Gu et al., CVPR 2019, §4.3, Fig. 5): refines the kernel code from the SR image it produced.
/// Seven 5×5 convs on the SR image (3 → w, then w → w; the 2nd and 4th with stride 2), each with LeakyReLU(0.2);
/// the code through two fully connected layers (t → w → w, LeakyReLU) stretched over that grid; concatenation;
/// 1×1 convs 2w → 2w → w → t (LeakyReLU between); global average pooling gives Δh, and the result is h + Δh.
/// Options: reflection instead of zero padding (<see cref="BaselineConfig.ReflectPadding"/>); the last 1×1 conv
/// initialised to zero, so that a fresh Corrector returns its input code (<see cref="BaselineConfig.CorrectorIdentityStart"/>).
/// SR [B, 3, H, W], code [B, t] → corrected code [B, t].
/// </summary>
public sealed class IkcCorrector : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Sequential code_dense;
    private readonly Sequential global_dense;

    private readonly bool _centred;

    public IkcCorrector(int imageChannels, int width, int codeLength, double slope, bool reflectPadding = false, bool centredInput = false,
                        bool identityStart = false)
        : base(nameof(IkcCorrector))
    {
        _centred = centredInput;
        var convs = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < 7; i++)
        {
            convs.Add(($"conv{i + 1}", nn.Conv2d(i == 0 ? imageChannels : width, width, kernel_size: 5, stride: i is 1 or 3 ? 2 : 1, padding: 2,
                                                  padding_mode: reflectPadding ? PaddingModes.Reflect : PaddingModes.Zeros)));
            convs.Add(($"act{i + 1}", nn.LeakyReLU(negative_slope: slope)));
        }
        features = nn.Sequential(convs);
        code_dense = nn.Sequential(("fc1", nn.Linear(codeLength, width)), ("act1", nn.LeakyReLU(negative_slope: slope)),
                                   ("fc2", nn.Linear(width, width)), ("act2", nn.LeakyReLU(negative_slope: slope)));
        var last = nn.Conv2d(width, codeLength, kernel_size: 1);
        if (identityStart)
            using (no_grad())
            {
                last.weight!.zero_();
                last.bias!.zero_();
            }
        global_dense = nn.Sequential(("conv1", nn.Conv2d(2 * width, 2 * width, kernel_size: 1)), ("act1", nn.LeakyReLU(negative_slope: slope)),
                                     ("conv2", nn.Conv2d(2 * width, width, kernel_size: 1)), ("act2", nn.LeakyReLU(negative_slope: slope)),
                                     ("conv3", last));
        RegisterComponents();
    }

    public override Tensor forward(Tensor sr, Tensor code)
    {
        var f = features.call(_centred ? sr - sr.mean([2, 3], keepdim: true) : sr);     // [B, w, H/4, W/4]
        var h = KernelCodeMaps.Stretch(code_dense.call(code), f.shape[2], f.shape[3]);   // [B, w, H/4, W/4]
        var delta = global_dense.call(cat([f, h], dim: 1)).mean([2, 3]);                 // Δh [B, t]
        return code + delta;
    }
}
