console.log("assets")
