using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// Spatial feature transform, Fig. 3 (docs/method.md §2 step 7; IKC's SFT layer): z = concat(feature, condition);
/// γ = sigmoid(conv3(act(conv3(z)))); β = conv3(act(conv3(z))); out = feature ⊙ γ + β.
/// feature [B, C, h, w], condition [B, c, h, w] → [B, C, h, w].
/// </summary>
public sealed class SftLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Conv2d scale_conv1;
    private readonly LeakyReLU scale_act;
    private readonly Conv2d scale_conv2;
    private readonly Conv2d shift_conv1;
    private readonly LeakyReLU shift_act;
    private readonly Conv2d shift_conv2;

    public SftLayer(int featureChannels, int conditionChannels, int hidden = 32, double slope = 0.2) : base(nameof(SftLayer))
    {
        int input = featureChannels + conditionChannels;
        scale_conv1 = nn.Conv2d(input, hidden, kernel_size: 3, padding: 1);
        scale_act = nn.LeakyReLU(negative_slope: slope);
        scale_conv2 = nn.Conv2d(hidden, featureChannels, kernel_size: 3, padding: 1);
        shift_conv1 = nn.Conv2d(input, hidden, kernel_size: 3, padding: 1);
        shift_act = nn.LeakyReLU(negative_slope: slope);
        shift_conv2 = nn.Conv2d(hidden, featureChannels, kernel_size: 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor feature, Tensor condition)
    {
        using var scope = NewDisposeScope();   // intermediates go when the layer is done (inference memory)
        var z = cat([feature, condition], dim: 1);
        var gamma = sigmoid(scale_conv2.call(scale_act.call(scale_conv1.call(z))));
        var beta = shift_conv2.call(shift_act.call(shift_conv1.call(z)));
        return (feature * gamma + beta).MoveToOuterDisposeScope();
    }
}
