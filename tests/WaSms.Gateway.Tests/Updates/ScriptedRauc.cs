using WaSms.Gateway.Updates;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>RAUC as a script: a fixed check result and an action run while "installing".</summary>
internal sealed class ScriptedRauc : IRaucAdapter
{
    public BundleCheck Check { get; set; } = BundleCheck.Refused("not scripted");
    public Action<IProgress<InstallProgress>>? DuringInstall { get; set; }
    public Func<IProgress<InstallProgress>, Task>? DuringInstallAsync { get; set; }
    public List<string> Calls { get; } = [];

    public Task<BundleCheck> CheckAsync(string bundlePath, CancellationToken cancellationToken)
    {
        Calls.Add($"check {bundlePath}");
        return Task.FromResult(Check);
    }

    public async Task InstallAsync(string bundlePath, IProgress<InstallProgress> progress, CancellationToken cancellationToken)
    {
        Calls.Add($"install {bundlePath}");
        DuringInstall?.Invoke(progress);
        if (DuringInstallAsync is not null)
        {
            await DuringInstallAsync(progress);
        }
    }
}
