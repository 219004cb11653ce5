using static TorchSharp.torch;

namespace LlmLoc.Models.Common;

/// <summary>A named container (e.g. <c>transformer</c>, <c>model</c>, <c>attn</c>) so parameter paths equal checkpoint keys.</summary>
public sealed class ModuleGroup : nn.Module
{
    public ModuleGroup(string name) : base(name) { }

    public T Add<T>(string name, T module) where T : nn.Module
    {
        register_module(name, module);
        return module;
    }
}
