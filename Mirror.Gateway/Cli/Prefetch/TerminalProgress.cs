using Mirror.Cache.Protocol;
using Spectre.Console;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>A progress bar per image on a terminal (Spectre.Console's live progress), each growing with its bytes, fetched or found stored.</summary>
internal sealed class TerminalProgress(ProgressContext context) : IPrefetchObserver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ImageReference, ProgressTask> _tasks = [];

    /// <summary>Shows the image, waiting for its manifests, before anything is known of its size.</summary>
    public void Started(ImageReference image)
    {
        lock (_gate)
        {
            var task = context.AddTask(Markup.Escape(image.Text));
            task.IsIndeterminate = true;
            _tasks[image] = task;
        }
    }

    public void Planned(ImageReference image, ImagePlan plan)
    {
        lock (_gate)
        {
            var task = _tasks[image];
            task.MaxValue = Math.Max(plan.Bytes, 1);
            task.IsIndeterminate = false;
        }
    }

    public void Advanced(ImageReference image, long bytes)
    {
        lock (_gate)
        {
            _tasks[image].Increment(bytes);
        }
    }

    public void BlobDone(ImageReference image, Digest digest, long size, bool cached)
    {
    }

    public void Finished(ImageResult result)
    {
        lock (_gate)
        {
            var task = _tasks[result.Image];
            if (result.Succeeded)
            {
                task.Value = task.MaxValue;
            }
            else
            {
                task.Description = $"{Markup.Escape(result.Image.Text)} [red]failed[/]";
            }

            task.StopTask();
        }
    }
}
