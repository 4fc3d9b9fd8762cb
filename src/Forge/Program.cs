using Forge;

return ForgeCli.Run(args);
