(function(){
// Report the card's natural height (every line shown) so widget.js can size the frame, then
// drop lines (.z1, .z2...) until the card fits the frame it has.
var r=document.documentElement,c=document.querySelector(".c"),last=0;
{# The theme is in the card's address (/embed/slug/2/dark, ?theme=dark): one file answers every
    theme, so a static build holds each card once. Set before the first paint: the script ends the body. #}
var t=/\/[0-9]+\/(light|dark|auto)(\/[^\/]+)?$/.exec(location.pathname)||/[?&]theme=(light|dark|auto)(&|$)/.exec(location.search);
if(t)r.classList.add(t[1]);
function fit(){
var i,h;
for(i=1;i<9;i++)r.classList.remove("z"+i);
r.classList.add("m");h=c.offsetHeight;r.classList.remove("m");
for(i=1;i<9&&c.scrollHeight>c.clientHeight;i++){
var before=c.scrollHeight;r.classList.add("z"+i);
if(c.scrollHeight>=before)r.classList.remove("z"+i);
}
if(h!==last){last=h;parent.postMessage({type:"factcard:height",height:h},"*")}
}
if(window.ResizeObserver)new ResizeObserver(fit).observe(r);
fit();addEventListener("load",fit);
})();
