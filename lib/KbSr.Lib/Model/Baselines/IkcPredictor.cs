using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// IKC's Predictor (Gu et al., CVPR 2019, §4.2): the initial kernel code from the LR image — six 5×5 convs (pad 2),
/// 3 → w, w → w, w → w, w → w with stride 2, w → w, w → t, each followed by LeakyReLU(0.2) (the last one too, as in
/// IKC's code), then global average pooling. The same geometry as KB-SR's initial estimator, with a code head instead
/// of the softmax kernel. Options (<see cref="BaselineConfig"/>): reflection instead of zero padding, and no activation
/// after the last conv. LR [B, 3, h, w] → code [B, t].
/// </summary>
public sealed class IkcPredictor : nn.Module<Tensor, Tensor>
{
    private readonly Sequential features;

    private readonly bool _centred;

    public IkcPredictor(int imageChannels, int width, int codeLength, double slope, bool reflectPadding = false, bool linearOutput = false,
                        bool centredInput = false)
        : base(nameof(IkcPredictor))
    {
        _centred = centredInput;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int[] inputs = [imageChannels, width, width, width, width, width];
        for (int i = 0; i < 6; i++)
        {
            layers.Add(($"conv{i + 1}", nn.Conv2d(inputs[i], i == 5 ? codeLength : width, kernel_size: 5, stride: i == 3 ? 2 : 1, padding: 2,
                                                  padding_mode: reflectPadding ? PaddingModes.Reflect : PaddingModes.Zeros)));
            if (i < 5 || !linearOutput) layers.Add(($"act{i + 1}", nn.LeakyReLU(negative_slope: slope)));
        }
        features = nn.Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor lr) =>
        features.call(_centred ? lr - lr.mean([2, 3], keepdim: true) : lr).mean([2, 3]);   // GAP: [B, t]
}
