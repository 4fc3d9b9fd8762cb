using Forge;

return await ForgeCli.RunAsync(args);
