// A script the sample package ships: the prepare hook that runs it is not reported.
console.log("prepared");
